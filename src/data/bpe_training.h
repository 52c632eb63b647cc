#pragma once
// Training a byte-level BPE on a text (model.tokenizer "bpe"): GPT-2's pre-tokenizer cuts the
// text into words, every word starts as its bytes, and the most frequent adjacent pair is merged
// until the vocabulary has the size asked for (or no pair occurs twice). The result is in
// Hugging Face's format (vocab.json and merges.txt), so data/byte_bpe.h encodes with it and
// `tokenizers` and `transformers` read it.
#include <cstdint>
#include <string>

namespace gencli {

struct BpeFiles {
  std::string vocab_json;  // {"token": id}: the 256 bytes, then each merge, then <|endoftext|>
  std::string merges;      // "#version: 0.2", then one merge per line, in the order learned
  int64_t merges_learned = 0;
};

// vocab_size counts the 256 byte tokens and <|endoftext|>: at least 257. what: names the text
// in errors.
BpeFiles train_byte_bpe(const std::string& text, int64_t vocab_size, const std::string& what);

}  // namespace gencli
