#pragma once
// NumPy .npy files, so generated samples and tensors can be opened with numpy.load().
#include <cstdint>
#include <string>
#include <vector>

namespace gencli::npy {

// Writes data (product(shape) floats, C order) as an NPY v1.0 file of dtype '<f4'. The
// header is padded with spaces and a final newline so the data starts at a multiple of
// 64 bytes, as numpy does. Written atomically.
void write_float32(const std::string& path, const std::vector<int64_t>& shape, const float* data);

// An array read from a .npy file, as float32 in C order.
struct FloatArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
};
// Reads a .npy file (versions 1-3) of dtype '<f4' or '<f8' in C order, as numpy.save writes
// them; '<f8' is narrowed to float. DataError naming the path for anything else.
FloatArray read_float(const std::string& path);

// The complete header (magic, version, length, dict, padding) write_float32 uses; exposed
// for tests.
std::string float32_header(const std::vector<int64_t>& shape);

}  // namespace gencli::npy
