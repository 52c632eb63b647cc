#pragma once
// Byte-level BPE, GPT-2's tokenizer (Radford et al. 2019) and the format of Hugging Face's
// vocab.json + merges.txt: text is cut into words by GPT-2's pre-tokenizer, each word's UTF-8
// bytes become printable characters by GPT-2's byte-to-unicode map, and the merges, lowest
// rank first, join them into tokens. `<|endoftext|>`, when the vocabulary has it, is a special
// token: it is never split, and text that spells it encodes to its one id. Any text encodes.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace gencli {

class ByteBpe {
 public:
  static constexpr const char* kEndOfText = "<|endoftext|>";

  // vocab_json: vocab.json's text ({"token": id, ...}); merges: merges.txt's text (one "a b"
  // pair per line, best first, after an optional "#version" line). what: names the files in
  // errors (a DataError naming the entry at fault).
  ByteBpe(const std::string& vocab_json, const std::string& merges, const std::string& what);

  std::vector<int64_t> encode(const std::string& text, const std::string& what) const;
  std::string decode_one(int64_t id) const;  // the token's bytes (part of a character, maybe)
  int64_t size() const { return static_cast<int64_t>(bytes_of_.size()); }
  int64_t end_of_text() const { return end_of_text_; }  // -1: not in the vocabulary

 private:
  void encode_word(const std::string& word, std::vector<int64_t>& ids) const;

  std::unordered_map<std::string, int64_t> ids_;    // token (in byte-to-unicode characters) -> id
  std::vector<std::string> bytes_of_;               // id -> the bytes it stands for
  std::unordered_map<std::string, int64_t> ranks_;  // "left right" -> merge rank
  int64_t end_of_text_ = -1;
  mutable std::unordered_map<std::string, std::vector<int64_t>> word_cache_;  // words repeat
};

// GPT-2's map of the 256 byte values to printable characters (bytes that are printable
// Latin-1 keep their character; the others take U+0100 onwards), as UTF-8 strings.
const std::vector<std::string>& byte_to_unicode();

}  // namespace gencli
