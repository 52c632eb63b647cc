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

// The complete header (magic, version, length, dict, padding) write_float32 uses; exposed
// for tests.
std::string float32_header(const std::vector<int64_t>& shape);

}  // namespace gencli::npy
