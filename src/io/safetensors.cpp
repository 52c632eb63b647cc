#include "io/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/errors.h"
#include "io/atomic_file.h"

namespace gencli {

namespace {

// The reference implementation refuses headers above 100 MB; so do we, before allocating.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct DtypeName {
  torch::ScalarType dtype;
  const char* name;
};
constexpr DtypeName kDtypes[] = {
    {torch::kBool, "BOOL"},  {torch::kUInt8, "U8"},   {torch::kInt8, "I8"},        {torch::kInt16, "I16"},
    {torch::kInt32, "I32"},  {torch::kInt64, "I64"},  {torch::kFloat16, "F16"},    {torch::kBFloat16, "BF16"},
    {torch::kFloat32, "F32"}, {torch::kFloat64, "F64"},
};

bool dtype_of_name(const std::string& name, torch::ScalarType& dtype) {
  for (const DtypeName& d : kDtypes)
    if (name == d.name) {
      dtype = d.dtype;
      return true;
    }
  return false;
}

// gencli runs on little-endian hosts only (x86-64, aarch64), where the format's byte order is
// the memory order, so tensor bytes are copied as they are.
static_assert(sizeof(uint64_t) == 8);

uint64_t read_le64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::string le64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = char((v >> (8 * i)) & 0xff);
  return out;
}

struct TensorEntry {
  std::string name;
  torch::ScalarType dtype;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;
};

struct Header {
  std::vector<TensorEntry> entries;  // sorted by begin
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;           // 8 + N
};

// Reads and checks the header of an open file of `file_size` bytes.
Header read_header(std::ifstream& in, const std::string& path, uint64_t file_size) {
  auto fail = [&](const std::string& why) { return DataError(path + ": not a valid safetensors file: " + why); };
  if (file_size < 8) throw fail("shorter than its 8-byte header length");
  unsigned char length_bytes[8];
  in.read(reinterpret_cast<char*>(length_bytes), 8);
  if (!in) throw fail("cannot read its header length");
  const uint64_t n = read_le64(length_bytes);
  if (n > kMaxHeaderBytes) throw fail("header length " + std::to_string(n) + " is over the 100 MB limit");
  if (n > file_size - 8)
    throw fail("header length " + std::to_string(n) + " runs past the end of the file (" +
               std::to_string(file_size) + " bytes)");
  std::string text(n, '\0');
  in.read(text.data(), std::streamsize(n));
  if (!in) throw fail("cannot read its " + std::to_string(n) + "-byte header");
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) throw fail("its header is not a JSON object");

  Header header;
  header.data_start = 8 + n;
  const uint64_t buffer_size = file_size - header.data_start;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& name = it.key();
    const nlohmann::json& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) throw fail("__metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) throw fail("__metadata__." + m.key() + " is not a string");
        header.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    auto bad = [&](const std::string& why) { return DataError(path + ": tensor " + name + ": " + why); };
    if (!v.is_object() || v.size() != 3 || !v.contains("dtype") || !v.contains("shape") ||
        !v.contains("data_offsets"))
      throw bad("needs exactly dtype, shape and data_offsets");
    TensorEntry e;
    e.name = name;
    if (!v["dtype"].is_string() || !dtype_of_name(v["dtype"].get<std::string>(), e.dtype))
      throw bad("unsupported dtype " + v["dtype"].dump());
    if (!v["shape"].is_array()) throw bad("shape is not an array");
    uint64_t numel = 1;
    for (const auto& d : v["shape"]) {
      if (!d.is_number_unsigned()) throw bad("shape " + v["shape"].dump() + " holds a value that is not a size");
      const uint64_t size = d.get<uint64_t>();
      if (size != 0 && numel > (uint64_t(1) << 62) / size) throw bad("shape " + v["shape"].dump() + " is too large");
      numel *= size;
      e.shape.push_back(int64_t(size));
    }
    const auto& offsets = v["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned())
      throw bad("data_offsets must be two sizes [begin, end]");
    e.begin = offsets[0].get<uint64_t>();
    e.end = offsets[1].get<uint64_t>();
    if (e.begin > e.end || e.end > buffer_size)
      throw bad("data_offsets " + offsets.dump() + " lie outside the " + std::to_string(buffer_size) +
                "-byte data that follows the header");
    const uint64_t need = numel * uint64_t(c10::elementSize(e.dtype));
    if (e.end - e.begin != need)
      throw bad("data_offsets " + offsets.dump() + " hold " + std::to_string(e.end - e.begin) + " bytes; " +
                v["dtype"].get<std::string>() + " " + v["shape"].dump() + " needs " + std::to_string(need));
    header.entries.push_back(std::move(e));
  }
  std::sort(header.entries.begin(), header.entries.end(), [](const TensorEntry& a, const TensorEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  // The tensors tile the data exactly: no overlap, no hole, nothing left after the last.
  uint64_t expected = 0;
  for (const TensorEntry& e : header.entries) {
    if (e.begin < expected)
      throw DataError(path + ": tensor " + e.name + ": its data overlaps the tensor before it");
    if (e.begin > expected)
      throw DataError(path + ": tensor " + e.name + ": " + std::to_string(e.begin - expected) +
                      " bytes before it belong to no tensor");
    expected = e.end;
  }
  if (expected != buffer_size)
    throw fail(std::to_string(buffer_size - expected) + " bytes after the last tensor belong to no tensor");
  return header;
}

std::ifstream open_for_reading(const std::string& path, uint64_t& file_size) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw DataError(path + ": no such safetensors file");
  file_size = std::filesystem::file_size(path, ec);
  if (ec) throw DataError(path + ": cannot read its size: " + ec.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open for reading");
  return in;
}

}  // namespace

torch::Tensor SafetensorsFile::find(const std::string& name) const {
  for (const auto& [key, tensor] : tensors)
    if (key == name) return tensor;
  return {};
}

std::string safetensors_dtype_name(torch::ScalarType dtype) {
  for (const DtypeName& d : kDtypes)
    if (d.dtype == dtype) return d.name;
  return "";
}

bool is_safetensors_path(const std::string& path) {
  return std::filesystem::path(path).extension() == ".safetensors";
}

void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<std::pair<std::string, torch::Tensor>> order;
  for (const auto& [name, tensor] : tensors) {
    if (name.empty() || name == "__metadata__") throw UserError(path + ": a tensor may not be called '" + name + "'");
    if (safetensors_dtype_name(tensor.scalar_type()).empty())
      throw UserError(path + ": tensor " + name + ": safetensors has no name for dtype " +
                      std::string(c10::toString(tensor.scalar_type())));
    order.emplace_back(name, tensor.detach().to(torch::kCPU).contiguous());
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    const size_t sa = a.second.element_size(), sb = b.second.element_size();
    return sa != sb ? sa > sb : a.first < b.first;
  });
  for (size_t i = 1; i < order.size(); ++i)
    if (order[i].first == order[i - 1].first) throw UserError(path + ": two tensors are called " + order[i].first);

  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : order) {
    const uint64_t bytes = uint64_t(tensor.numel()) * tensor.element_size();
    header[name] = {{"dtype", safetensors_dtype_name(tensor.scalar_type())},
                    {"shape", tensor.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
  std::string out = le64(text.size()) + text;
  out.reserve(out.size() + offset);
  for (const auto& [name, tensor] : order)
    out.append(static_cast<const char*>(tensor.data_ptr()), size_t(tensor.numel()) * tensor.element_size());
  write_file_atomically(path, out);
}

SafetensorsFile read_safetensors(const std::string& path) {
  uint64_t file_size = 0;
  std::ifstream in = open_for_reading(path, file_size);
  Header header = read_header(in, path, file_size);
  SafetensorsFile file;
  file.metadata = std::move(header.metadata);
  for (const TensorEntry& e : header.entries) {
    torch::Tensor t = torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype));
    in.seekg(std::streamoff(header.data_start + e.begin));
    in.read(static_cast<char*>(t.data_ptr()), std::streamsize(e.end - e.begin));
    if (!in) throw DataError(path + ": tensor " + e.name + ": cannot read its data");
    file.tensors.emplace_back(e.name, std::move(t));
  }
  return file;
}

std::map<std::string, std::string> read_safetensors_metadata(const std::string& path) {
  uint64_t file_size = 0;
  std::ifstream in = open_for_reading(path, file_size);
  return read_header(in, path, file_size).metadata;
}

}  // namespace gencli
