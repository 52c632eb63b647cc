#pragma once
// Text <-> token ids for the sequence models. Two kinds:
//   "char": one id per Unicode character of a vocabulary (the distinct characters of the
//           training text, sorted by code point, stored in the model config and so in every
//           checkpoint); text with a character outside it is an error naming the character.
//   "byte": one id per UTF-8 byte, 256 ids; any text encodes.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace gencli {

class Tokenizer {
 public:
  static Tokenizer bytes();
  // vocabulary: UTF-8 text whose distinct characters are the tokens, in order.
  static Tokenizer chars(const std::string& vocabulary);

  // what: names the text in errors ("--prompt", "data/text/fortunes.txt").
  std::vector<int64_t> encode(const std::string& text, const std::string& what) const;
  std::string decode(const std::vector<int64_t>& ids) const;
  std::string decode_one(int64_t id) const;
  int64_t size() const;
  bool is_bytes() const { return byte_level_; }

 private:
  bool byte_level_ = true;
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
