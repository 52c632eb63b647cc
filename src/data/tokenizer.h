#pragma once
// Text <-> token ids for the sequence models. Two kinds:
//   "char": one id per Unicode character of a vocabulary (the distinct characters of the
//           training text, sorted by code point, stored in the model config and so in every
//           checkpoint); a character outside it is, as the policy says, an error naming the
//           character (the default), skipped, or replaced by a character of the vocabulary.
//   "byte": one id per UTF-8 byte, 256 ids; any text encodes.
//   "bpe":  byte-level BPE (data/byte_bpe.h), GPT-2's; any text encodes.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace gencli {

class ByteBpe;

// What a char tokenizer does with a character outside its vocabulary.
enum class UnknownChars { error, skip, replace };
UnknownChars parse_unknown_chars(const std::string& name);  // "error", "skip" or "replace"

// The characters outside the vocabulary one encode() call skipped or replaced.
struct UnknownCharCount {
  int64_t total = 0;
  std::map<char32_t, int64_t> by_char;
  // "37 characters outside the vocabulary skipped: "%" x30, U+00E9 x7" (the most frequent first).
  std::string summary(const std::string& action) const;
};

class Tokenizer {
 public:
  static Tokenizer bytes();
  // vocabulary: UTF-8 text whose distinct characters are the tokens, in order. replacement:
  // the character UnknownChars::replace puts in (a UserError when it is not in the vocabulary).
  static Tokenizer chars(const std::string& vocabulary, UnknownChars unknown = UnknownChars::error,
                         const std::string& replacement = " ");
  static Tokenizer bpe(std::shared_ptr<const ByteBpe> bpe);

  // what: names the text in errors ("--prompt", "data/text/fortunes.txt"). unknown, when given,
  // receives the characters the policy skipped or replaced.
  std::vector<int64_t> encode(const std::string& text, const std::string& what,
                              UnknownCharCount* unknown = nullptr) const;
  std::string decode(const std::vector<int64_t>& ids) const;
  std::string decode_one(int64_t id) const;
  int64_t size() const;
  bool is_bytes() const { return byte_level_ && !bpe_; }
  bool is_bpe() const { return static_cast<bool>(bpe_); }
  // The token generation starts from when there is no prompt: <|endoftext|> where the BPE
  // vocabulary has it (GPT-2's convention), else id 0.
  int64_t start_id() const;
  // What one token is, for per-token figures: "byte", "character" or "token".
  const char* unit() const { return bpe_ ? "token" : byte_level_ ? "byte" : "character"; }
  UnknownChars unknown_policy() const { return unknown_; }

 private:
  bool byte_level_ = true;
  UnknownChars unknown_ = UnknownChars::error;
  int64_t replacement_id_ = -1;
  std::shared_ptr<const ByteBpe> bpe_;
  std::vector<std::string> pieces_;                 // id -> UTF-8 (char tokenizer)
  std::unordered_map<char32_t, int64_t> ids_;       // code point -> id
};

// The distinct characters of `text` sorted by code point, as UTF-8 (a char vocabulary).
// Throws DataError naming `what` and the byte offset when text is not valid UTF-8.
std::string vocabulary_of(const std::string& text, const std::string& what);

// Code points of UTF-8 text (DataError naming `what` and the byte offset when invalid).
std::vector<char32_t> decode_utf8(const std::string& text, const std::string& what);
std::string encode_utf8(char32_t code_point);

}  // namespace gencli
