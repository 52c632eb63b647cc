#pragma once
// A checkpoint carries the SHA-256 of its own bytes, so any flipped byte, in a tensor or in
// the zip directory, is found before LibTorch reads the file (LibTorch's zip reader skips the
// entries' CRCs). The digest lives in the zip's end-of-archive comment, which every zip reader
// (LibTorch, Python's torch.load, unzip) ignores, so a sealed file is still a plain archive.
#include <string>

namespace gencli {

// `zip` with the comment "gencli-sha256:<hex>" added; hex is the SHA-256 of `zip` as given.
// `zip` must end in an end-of-archive record without a comment (as LibTorch writes them).
std::string seal_archive(const std::string& zip);

enum class SealState { kSealed, kUnsealed };

// kSealed when `bytes` carry a digest that matches, kUnsealed for an archive without one
// (checkpoints written before seals existed). Throws UserError naming `path` when the digest
// does not match or the bytes do not end like a zip archive.
SealState check_seal(const std::string& bytes, const std::string& path);

}  // namespace gencli
