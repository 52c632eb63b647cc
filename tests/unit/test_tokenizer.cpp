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
  EXPECT_EQ(msg, "--prompt: the character (U+000A) is not in the model's vocabulary of 2 characters "
                 "(model.unknown_chars \"skip\" or \"replace\" would let it through)");
  EXPECT_NE(user_error([&] { t.encode("ax", "--prompt"); }).find("the character \"x\" (U+0078)"),
            std::string::npos);
}

TEST(Tokenizer, UnknownCharactersAreSkippedOrReplacedAndCounted) {
  const Tokenizer skip = Tokenizer::chars("ab ", UnknownChars::skip);
  UnknownCharCount count;
  EXPECT_EQ(skip.decode(skip.encode("a%b%\xc3\xa9", "t", &count)), "ab");
  EXPECT_EQ(count.total, 3);
  EXPECT_EQ(count.by_char.at(U'%'), 2);
  EXPECT_EQ(count.summary("skipped"),
            "3 characters outside the vocabulary skipped: \"%\" (U+0025) x2, \"\xc3\xa9\" (U+00E9) x1");
  const Tokenizer replace = Tokenizer::chars("ab ", UnknownChars::replace, " ");
  UnknownCharCount replaced;
  EXPECT_EQ(replace.decode(replace.encode("a%b\n", "t", &replaced)), "a b ");
  EXPECT_EQ(replaced.summary("replaced"), "2 characters outside the vocabulary replaced: (U+000A) x1, \"%\" (U+0025) x1");
  // Counting is optional, and text inside the vocabulary counts nothing.
  EXPECT_EQ(replace.encode("ab", "t").size(), 2u);
  EXPECT_EQ(user_error([] { Tokenizer::chars("ab", UnknownChars::replace, "?"); }),
            "config error: model.unknown_replacement: the character \"?\" (U+003F) is not in the model's vocabulary, "
            "so it cannot stand in for unknown characters");
  EXPECT_THROW(Tokenizer::chars("ab", UnknownChars::replace, "ab"), ConfigError);
}

}  // namespace
}  // namespace gencli
