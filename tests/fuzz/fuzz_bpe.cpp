// Byte-level BPE: GPT-2's pre-tokenizer, BPE training and encoding, and vocab.json/merges.txt
// parsing. The input is a text; a BPE trained on it must encode it back exactly, and the
// pre-tokenizer's pieces must join to it. Then the input, split at NUL bytes, is read as
// vocab.json, merges.txt and a text: accepted, or refused with one line naming the files.
#include <cstdint>
#include <string>

#include "data/bpe_training.h"
#include "data/byte_bpe.h"
#include "data/gpt2_pretokenizer.h"
#include "fuzz_common.h"

using namespace gencli;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // training is quadratic-ish in distinct words; keep runs fast
  const std::string input(reinterpret_cast<const char*>(data), size);
  fuzz::accepts("text", [&] {
    std::string joined;
    for (const std::string& piece : gpt2_pretokenize(input, "text")) {
      if (piece.empty()) fuzz::finding("an empty pre-token");
      joined += piece;
    }
    if (joined != input) fuzz::finding("pre-tokens do not join to the text");
    const BpeFiles files = train_byte_bpe(input, 300, "text");
    const ByteBpe bpe(files.vocab_json, files.merges, "trained");
    std::string back;
    for (int64_t id : bpe.encode(input, "text")) back += bpe.decode_one(id);
    if (back != input) fuzz::finding("a trained BPE does not round-trip its own text");
  });
  const size_t a = input.find('\0');
  const size_t b = a == std::string::npos ? a : input.find('\0', a + 1);
  if (b == std::string::npos) return 0;
  fuzz::accepts("files", [&] {
    const ByteBpe bpe(input.substr(0, a), input.substr(a + 1, b - a - 1), "files");
    fuzz::accepts("", [&] {
      for (int64_t id : bpe.encode(input.substr(b + 1), "text")) bpe.decode_one(id);
    });
  });
  return 0;
}
