// The checkpoint seal: the SHA-256 of a checkpoint's bytes in its zip comment, checked on load.
#include <gtest/gtest.h>

#include <string>

#include "core/errors.h"
#include "io/checkpoint_seal.h"

namespace gencli {
namespace {

// The smallest zip: an end-of-central-directory record alone (an empty archive).
std::string empty_zip(const std::string& body = "") {
  std::string end = {'P', 'K', 5, 6};
  end += std::string(16, '\0');
  end += std::string(2, '\0');  // comment length 0
  return body + end;
}

TEST(CheckpointSeal, SealedArchiveChecksOut) {
  const std::string zip = empty_zip("pretend these are the archive's entries");
  const std::string sealed = seal_archive(zip);
  EXPECT_GT(sealed.size(), zip.size());
  EXPECT_EQ(check_seal(sealed, "x.pt"), SealState::kSealed);
  EXPECT_EQ(sealed.substr(sealed.size() - 78, 14), "gencli-sha256:");
}

TEST(CheckpointSeal, UnsealedArchiveIsRecognised) {
  EXPECT_EQ(check_seal(empty_zip("entries"), "old.pt"), SealState::kUnsealed);
}

TEST(CheckpointSeal, EveryFlippedByteIsFound) {
  const std::string sealed = seal_archive(empty_zip("weights weights weights"));
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    try {
      check_seal(bad, "runs/a/last.pt");
      // A flip inside the comment's prefix turns the comment into an unknown one, which is no
      // valid end record either; only a flip nothing reads could pass, and there is none.
      ADD_FAILURE() << "a flipped byte at offset " << i << " was not noticed";
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("runs/a/last.pt"), std::string::npos) << e.what();
    }
  }
}

TEST(CheckpointSeal, TruncatedOrForeignBytesAreRefusedNamingThePath) {
  const std::string sealed = seal_archive(empty_zip("abc"));
  for (const std::string& bad : {sealed.substr(0, sealed.size() - 1), std::string("not a zip at all"), std::string()}) {
    try {
      check_seal(bad, "f.pt");
      ADD_FAILURE() << "accepted " << bad.size() << " bytes";
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("f.pt"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace gencli
