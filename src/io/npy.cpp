#include "io/npy.h"

#include <cstring>

#include "core/errors.h"
#include "io/atomic_file.h"

namespace gencli::npy {
namespace {

// Python's repr of a tuple: "()", "(5,)", "(2, 3)".
std::string python_tuple(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) s += ",";
  return s + ")";
}

int64_t element_count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw UserError("npy: negative dimension in shape " + python_tuple(shape));
    n *= d;
  }
  return n;
}

// NPY stores '<f4', so each float's bits are written least significant byte first
// regardless of the host's byte order.
void append_float_le(std::string& out, float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  for (int shift = 0; shift < 32; shift += 8) out.push_back(char((bits >> shift) & 0xff));
}

}  // namespace

FloatArray read_float(const std::string& path) {
  const std::string bytes = read_file_bytes(path);
  auto fail = [&](const std::string& why) { return DataError(path + ": not a float .npy array: " + why); };
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw fail("no NUMPY magic");
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, start = 0;
  if (major == 1) {
    header_len = size_t(static_cast<unsigned char>(bytes[8])) | size_t(static_cast<unsigned char>(bytes[9])) << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw fail("truncated header");
    for (int i = 3; i >= 0; --i) header_len = header_len << 8 | static_cast<unsigned char>(bytes[8 + i]);
    start = 12;
  } else {
    throw fail("version " + std::to_string(major) + " is not 1, 2 or 3");
  }
  if (start + header_len > bytes.size()) throw fail("truncated header");
  const std::string dict = bytes.substr(start, header_len);
  auto field = [&](const std::string& key) {
    const size_t at = dict.find("'" + key + "':");
    if (at == std::string::npos) throw fail("no '" + key + "' in its header");
    size_t p = at + key.size() + 3;
    while (p < dict.size() && dict[p] == ' ') ++p;
    if (p >= dict.size()) throw fail("no value for '" + key + "' in its header");
    return p;
  };
  size_t d = field("descr");
  const bool f8 = dict.compare(d, 5, "'<f8'") == 0, f4 = dict.compare(d, 5, "'<f4'") == 0;
  if (!f4 && !f8) throw fail("dtype " + dict.substr(d, dict.find(',', d) - d) + " is not '<f4' or '<f8'");
  if (dict.compare(field("fortran_order"), 5, "False") != 0) throw fail("Fortran order is not supported");
  size_t s = field("shape");
  const size_t close = dict.find(')', s);
  if (dict[s] != '(' || close == std::string::npos) throw fail("unreadable shape");
  FloatArray array;
  int64_t n = 1;
  for (size_t p = s + 1; p < close;) {
    while (p < close && (dict[p] == ' ' || dict[p] == ',')) ++p;
    if (p >= close) break;
    if (dict[p] < '0' || dict[p] > '9') throw fail("bad shape");
    size_t used = 0;
    const int64_t dim = std::stoll(dict.substr(p, close - p), &used);
    if (dim < 0 || used == 0 || (dim > 0 && n > (int64_t(1) << 40) / dim)) throw fail("bad shape");
    array.shape.push_back(dim);
    n *= dim;
    p += used;
  }
  const size_t data_start = start + header_len, width = f8 ? 8 : 4;
  if (bytes.size() - data_start != size_t(n) * width)
    throw fail("holds " + std::to_string(bytes.size() - data_start) + " data bytes; its shape needs " +
               std::to_string(size_t(n) * width));
  array.data.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i) {
    const char* p = bytes.data() + data_start + size_t(i) * width;
    if (f8) {
      double v;
      std::memcpy(&v, p, 8);  // little-endian hosts only, like the rest of gencli's readers
      array.data[size_t(i)] = float(v);
    } else {
      std::memcpy(&array.data[size_t(i)], p, 4);
    }
  }
  return array;
}

std::string float32_header(const std::vector<int64_t>& shape) {
  constexpr size_t kPreamble = 10;  // magic (6) + version (2) + header length (2)
  std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + python_tuple(shape) + ", }";
  const size_t unpadded = kPreamble + dict.size() + 1;  // +1 for the final '\n'
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict.push_back('\n');
  if (dict.size() > 0xffff) throw UserError("npy: shape " + python_tuple(shape) + " is too long");
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(char(dict.size() & 0xff));
  out.push_back(char(dict.size() >> 8));
  return out + dict;
}

void write_float32(const std::string& path, const std::vector<int64_t>& shape, const float* data) {
  const int64_t n = element_count(shape);
  if (n > 0 && data == nullptr)
    throw UserError(path + ": npy: no data for shape " + python_tuple(shape));
  std::string bytes = float32_header(shape);
  bytes.reserve(bytes.size() + size_t(n) * 4);
  for (int64_t i = 0; i < n; ++i) append_float_le(bytes, data[i]);
  write_file_atomically(path, bytes);
}

}  // namespace gencli::npy
