#pragma once
// SHA-256 (FIPS 180-4), used to verify downloaded data and to fingerprint files.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace gencli {

class Sha256 {
 public:
  Sha256();
  // Feeds n more bytes. May be called any number of times before hex_digest().
  void update(const void* data, size_t n);
  // Finishes the hash and returns 64 lowercase hex digits. The object is reset afterwards,
  // so it can hash a new message.
  std::string hex_digest();

 private:
  void reset();
  void compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_;
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string sha256_hex(const std::string& bytes);
// Hashes a file in chunks; throws DataError naming path if it cannot be read.
std::string sha256_file_hex(const std::string& path);

}  // namespace gencli
