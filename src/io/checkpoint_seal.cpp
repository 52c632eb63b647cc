#include "io/checkpoint_seal.h"

#include <cstdint>
#include <cstring>

#include "core/errors.h"
#include "io/sha256.h"

namespace gencli {
namespace {

// The end-of-central-directory record: 22 bytes, its last two the comment's length.
constexpr size_t kEndRecordSize = 22;
constexpr char kEndSignature[] = {'P', 'K', 5, 6};
constexpr char kSealPrefix[] = "gencli-sha256:";
constexpr size_t kSealSize = sizeof(kSealPrefix) - 1 + 64;

bool end_record_at(const std::string& bytes, size_t at, size_t comment_size) {
  if (bytes.size() < kEndRecordSize + comment_size || at + kEndRecordSize + comment_size != bytes.size()) return false;
  if (std::memcmp(bytes.data() + at, kEndSignature, 4) != 0) return false;
  const auto lo = static_cast<uint8_t>(bytes[at + 20]), hi = static_cast<uint8_t>(bytes[at + 21]);
  return (lo | (hi << 8)) == static_cast<int>(comment_size);
}

}  // namespace

std::string seal_archive(const std::string& zip) {
  if (zip.size() < kEndRecordSize || !end_record_at(zip, zip.size() - kEndRecordSize, 0))
    throw std::logic_error("seal_archive: the archive does not end in a comment-free end record");
  std::string sealed = zip;
  const size_t at = zip.size() - kEndRecordSize;
  sealed[at + 20] = static_cast<char>(kSealSize & 0xff);
  sealed[at + 21] = static_cast<char>(kSealSize >> 8);
  sealed += kSealPrefix + sha256_hex(zip);
  return sealed;
}

SealState check_seal(const std::string& bytes, const std::string& path) {
  if (bytes.size() >= kEndRecordSize + kSealSize) {
    const size_t at = bytes.size() - kSealSize - kEndRecordSize;
    if (end_record_at(bytes, at, kSealSize) &&
        bytes.compare(at + kEndRecordSize, sizeof(kSealPrefix) - 1, kSealPrefix) == 0) {
      std::string original = bytes.substr(0, at + kEndRecordSize);
      original[at + 20] = original[at + 21] = 0;
      const std::string recorded = bytes.substr(bytes.size() - 64);
      if (sha256_hex(original) != recorded)
        throw UserError("checkpoint error: " + path +
                        ": corrupt (its SHA-256 does not match the digest written with it)");
      return SealState::kSealed;
    }
  }
  if (bytes.size() >= kEndRecordSize && end_record_at(bytes, bytes.size() - kEndRecordSize, 0))
    return SealState::kUnsealed;
  throw UserError("checkpoint error: " + path + ": not a readable checkpoint (truncated or not a LibTorch archive)");
}

}  // namespace gencli
