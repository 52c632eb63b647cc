// Tokenizers: UTF-8 decoding, vocabularies, char and byte encode/decode. The input is a
// vocabulary, a NUL byte, then the text to encode.
#include <cstdint>
#include <string>
#include <vector>

#include "data/tokenizer.h"
#include "fuzz_common.h"

using namespace gencli;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string vocabulary = input.substr(0, nul);
  const std::string text = nul == std::string::npos ? input : input.substr(nul + 1);

  fuzz::accepts("text", [&] {
    const std::string vocab = vocabulary_of(text, "text");
    // A text's own vocabulary always encodes it, and decoding gives the text back.
    const Tokenizer own = Tokenizer::chars(vocab);
    if (own.decode(own.encode(text, "text")) != text) fuzz::finding("char round trip failed");
    if (decode_utf8(vocab, "vocab").size() != size_t(own.size()))
      fuzz::finding("vocabulary_of repeated a character");
  });
  const Tokenizer bytes = Tokenizer::bytes();
  if (bytes.decode(bytes.encode(input, "input")) != input) fuzz::finding("byte round trip failed");

  fuzz::accepts("", [&] {
    const Tokenizer t = Tokenizer::chars(vocabulary);
    std::vector<int64_t> ids;
    if (fuzz::accepts("--prompt", [&] { ids = t.encode(text, "--prompt"); }) &&
        t.decode(ids) != text)
      fuzz::finding("char round trip failed");
    // Ids a model might emit, in range or not: decode either works or says why.
    std::vector<int64_t> raw;
    for (size_t i = 0; i + 1 < text.size(); i += 2)
      raw.push_back(int64_t(int8_t(text[i])) * 256 + uint8_t(text[i + 1]));
    fuzz::accepts("token id", [&] { t.decode(raw); });
    fuzz::accepts("token id", [&] { bytes.decode(raw); });
  });
  return 0;
}
