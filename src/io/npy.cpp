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
