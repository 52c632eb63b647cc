// Tokenizers without LibTorch (so they also run under the sanitizers, scripts/sanitize.sh):
// ids outside the vocabulary and characters that would break an error's one line.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/errors.h"
#include "data/tokenizer.h"

namespace gencli {
namespace {

template <class F>
std::string user_error(F&& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Tokenizer, IdsOutsideTheVocabularyAreDataErrors) {
  const Tokenizer chars = Tokenizer::chars("abc");
  EXPECT_EQ(chars.decode({2, 0, 1}), "cab");
  EXPECT_EQ(user_error([&] { chars.decode({0, 3}); }),
            "data error: token id 3 is outside the vocabulary (ids 0..2)");
  EXPECT_THROW(chars.decode_one(-1), DataError);
  const Tokenizer bytes = Tokenizer::bytes();
  EXPECT_EQ(bytes.decode({104, 105}), "hi");
  EXPECT_EQ(user_error([&] { bytes.decode_one(256); }),
            "data error: token id 256 is outside the vocabulary (ids 0..255)");
}

TEST(Tokenizer, AnUnknownControlCharacterKeepsTheErrorOnOneLine) {
  const Tokenizer t = Tokenizer::chars("ab");
  const std::string msg = user_error([&] { t.encode("a\nb", "--prompt"); });
  EXPECT_EQ(msg, "--prompt: the character (U+000A) is not in the model's vocabulary of 2 characters");
  EXPECT_NE(user_error([&] { t.encode("ax", "--prompt"); }).find("the character \"x\" (U+0078)"),
            std::string::npos);
}

}  // namespace
}  // namespace gencli
