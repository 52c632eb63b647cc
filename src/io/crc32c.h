#pragma once
// CRC-32C (Castagnoli), the checksum TFRecord files (TensorBoard's event files) frame every
// record with. A table-driven version: event files are small, so speed does not matter here.
#include <cstddef>
#include <cstdint>
#include <string>

namespace gencli {

// The CRC-32C of `size` bytes at `data`; `crc` continues an earlier call's result.
uint32_t crc32c(const void* data, size_t size, uint32_t crc = 0);
inline uint32_t crc32c(const std::string& bytes) { return crc32c(bytes.data(), bytes.size()); }

}  // namespace gencli
