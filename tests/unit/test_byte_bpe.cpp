// GPT-2's byte-level BPE without LibTorch (so it also runs under the sanitizers): the
// pre-tokenizer's pattern, case by case; the byte-to-unicode map; merges applied by rank;
// <|endoftext|> kept whole; any bytes round-trip; broken vocab.json and merges.txt are
// DataErrors naming the entry. (tests/e2e/hugging_face.sh compares with `tokenizers` itself.)
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/errors.h"
#include "data/bpe_training.h"
#include "data/byte_bpe.h"
#include "data/gpt2_pretokenizer.h"
#include "data/unicode_classes.h"

namespace gencli {
namespace {

using Pieces = std::vector<std::string>;

TEST(Gpt2Pretokenizer, FollowsThePatternsAlternativesInOrder) {
  EXPECT_EQ(gpt2_pretokenize("Hello world", "t"), (Pieces{"Hello", " world"}));
  EXPECT_EQ(gpt2_pretokenize("it's we'll I'd", "t"), (Pieces{"it", "'s", " we", "'ll", " I", "'d"}));
  // A run of spaces leaves its last one to the next word; at the end it stays whole.
  EXPECT_EQ(gpt2_pretokenize("a   b  ", "t"), (Pieces{"a", "  ", " b", "  "}));
  EXPECT_EQ(gpt2_pretokenize("x\n\ny", "t"), (Pieces{"x", "\n", "\n", "y"}));  // \s+ then one \s before y
  EXPECT_EQ(gpt2_pretokenize("in 2024, ok?!", "t"), (Pieces{"in", " 2024", ",", " ok", "?!"}));
  EXPECT_EQ(gpt2_pretokenize("caf\xc3\xa9 \xd0\xbc\xd0\xb8\xd1\x80 \xe4\xb8\x96\xe7\x95\x8c", "t"),
            (Pieces{"caf\xc3\xa9", " \xd0\xbc\xd0\xb8\xd1\x80", " \xe4\xb8\x96\xe7\x95\x8c"}));
  EXPECT_EQ(gpt2_pretokenize("hi \xf0\x9f\x98\x80\xf0\x9f\x98\x80!", "t"), (Pieces{"hi", " \xf0\x9f\x98\x80\xf0\x9f\x98\x80!"}));
  EXPECT_EQ(gpt2_pretokenize("\xd9\xa3\xd9\xa4x", "t"), (Pieces{"\xd9\xa3\xd9\xa4", "x"}));  // Arabic-Indic digits are \p{N}
  EXPECT_THROW(gpt2_pretokenize("bad \xff", "t"), DataError);
}

TEST(UnicodeClasses, LettersNumbersAndWhitespace) {
  EXPECT_TRUE(unicode::is_letter(U'a') && unicode::is_letter(U'\u00e9') && unicode::is_letter(U'\u4e16'));
  EXPECT_FALSE(unicode::is_letter(U'1') || unicode::is_letter(U' ') || unicode::is_letter(U'\U0001F600'));
  EXPECT_TRUE(unicode::is_number(U'7') && unicode::is_number(U'\u00bd') && unicode::is_number(U'\u0663'));
  EXPECT_TRUE(unicode::is_whitespace(U'\u3000') && !unicode::is_whitespace(U'\u200b'));
}

TEST(ByteToUnicode, MapsEveryByteToADistinctPrintableCharacter) {
  const auto& map = byte_to_unicode();
  EXPECT_EQ(map['A'], "A");
  EXPECT_EQ(map[' '], "\xc4\xa0");  // U+0120, GPT-2's "Ġ"
  EXPECT_EQ(map['\n'], "\xc4\x8a");  // U+010A, "Ċ"
  EXPECT_EQ(std::set<std::string>(map.begin(), map.end()).size(), 256u);
}

// A vocabulary of the 256 byte characters, then merged tokens, and <|endoftext|> last.
std::string vocab_json(const std::vector<std::string>& merged) {
  std::string j = "{";
  int id = 0;
  for (const std::string& c : byte_to_unicode()) j += "\"" + (c == "\"" ? "\\\"" : c == "\\" ? "\\\\" : c) + "\": " + std::to_string(id++) + ", ";
  for (const std::string& t : merged) j += "\"" + t + "\": " + std::to_string(id++) + ", ";
  return j + "\"<|endoftext|>\": " + std::to_string(id) + "}";
}

TEST(ByteBpe, MergesByRankKeepsTheSpecialTokenAndRoundTripsAnyBytes) {
  // "Ġ" is the space's character. Merges: h e, Ġ t, Ġt he (ranks 0, 1, 2).
  const ByteBpe bpe(vocab_json({"he", "\xc4\xa0t", "\xc4\xa0the"}), "#version: 0.2\nh e\n\xc4\xa0 t\n\xc4\xa0t he\n", "t");
  EXPECT_EQ(bpe.size(), 256 + 3 + 1);
  EXPECT_EQ(bpe.end_of_text(), 259);
  const std::vector<int64_t> ids = bpe.encode("the the<|endoftext|>t", "t");
  // "the" -> t, he (no "t he" merge); " the" -> Ġthe; then the special token; then "t".
  const int64_t t = 't';  // the vocabulary lists the byte characters in byte order
  EXPECT_EQ(ids, (std::vector<int64_t>{t, 256, 258, 259, t}));
  std::string text;
  for (int64_t id : ids) text += bpe.decode_one(id);
  EXPECT_EQ(text, "the the<|endoftext|>t");
  const std::string odd = "tab\there \xe2\x82\xac\xf0\x9f\x98\x80  end\n";
  std::string back;
  for (int64_t id : bpe.encode(odd, "t")) back += bpe.decode_one(id);
  EXPECT_EQ(back, odd);
}

TEST(ByteBpe, BrokenFilesAreDataErrorsNamingTheEntry) {
  auto error = [](const std::string& vocab, const std::string& merges) {
    try {
      ByteBpe(vocab, merges, "gpt2/");
    } catch (const DataError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(error("[1, 2]", "").find("gpt2/: vocab.json must be an object"), std::string::npos);
  EXPECT_NE(error("{\"a\": 0, \"b\": 0}", "").find("token \"b\" has id 0"), std::string::npos);
  EXPECT_NE(error("{\"a\": 0, \"b\": 1}", "a b\nab\n").find("merges.txt line 2"), std::string::npos);
  EXPECT_NE(error("{\"a\": 0, \"\xe2\x82\xac\": 1}", "").find("outside GPT-2's byte map"), std::string::npos);
  EXPECT_THROW(ByteBpe(vocab_json({}), "", "t").decode_one(300), DataError);
}

TEST(BpeTraining, MergesTheMostFrequentPairsAndEncodesWithWhatItLearned) {
  const std::string text = "low lower lowest low low newer newest new\n";
  const BpeFiles files = train_byte_bpe(text, 256 + 6 + 1, "t");
  EXPECT_EQ(files.merges_learned, 6);
  // "l o" and "o w" both occur 5 times, more than any other pair; the tie goes to "l o".
  EXPECT_EQ(files.merges.substr(0, files.merges.find('\n', 14) + 1), "#version: 0.2\nl o\n");
  const ByteBpe bpe(files.vocab_json, files.merges, "t");
  EXPECT_EQ(bpe.size(), 256 + 6 + 1);
  EXPECT_EQ(bpe.decode_one(bpe.end_of_text()), "<|endoftext|>");
  const std::vector<int64_t> ids = bpe.encode(text, "t");
  EXPECT_LT(ids.size(), text.size());  // merges shorten the text
  std::string back;
  for (int64_t id : ids) back += bpe.decode_one(id);
  EXPECT_EQ(back, text);
  // Training stops when no pair occurs twice; too small a vocabulary is a config error.
  EXPECT_EQ(train_byte_bpe("ab", 1000, "t").merges_learned, 0);
  EXPECT_THROW(train_byte_bpe(text, 200, "t"), ConfigError);
}

}  // namespace
}  // namespace gencli
