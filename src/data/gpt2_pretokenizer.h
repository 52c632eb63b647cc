#pragma once
// GPT-2's pre-tokenizer: the pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// cuts text into words before byte-level BPE merges inside each. Written out as a scanner
// (the alternatives tried in order at each position) because std::regex has no Unicode classes.
#include <string>
#include <vector>

namespace gencli {

// The pieces of `text` (valid UTF-8; what names it in the error otherwise), in order; their
// concatenation is `text`.
std::vector<std::string> gpt2_pretokenize(const std::string& text, const std::string& what);

}  // namespace gencli
