#include "data/gpt2_pretokenizer.h"

#include "data/tokenizer.h"
#include "data/unicode_classes.h"

namespace gencli {

namespace {

using unicode::is_letter;
using unicode::is_number;
using unicode::is_whitespace;

bool is_other(char32_t c) { return !is_whitespace(c) && !is_letter(c) && !is_number(c); }

// The length of the contraction ('s 't 're 've 'm 'll 'd) at cps[i], or 0.
size_t contraction_at(const std::vector<char32_t>& cps, size_t i) {
  if (cps[i] != U'\'' || i + 1 >= cps.size()) return 0;
  const char32_t a = cps[i + 1];
  if (a == U's' || a == U't' || a == U'm' || a == U'd') return 2;
  if (i + 2 >= cps.size()) return 0;
  const char32_t b = cps[i + 2];
  if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) return 3;
  return 0;
}

// ` ?CLASS+` at cps[i]: an optional space, then one or more characters of the class; 0 if none.
template <class Class>
size_t run_at(const std::vector<char32_t>& cps, size_t i, Class in_class) {
  size_t j = i;
  if (cps[j] == U' ' && j + 1 < cps.size()) ++j;
  if (!in_class(cps[j])) return 0;
  while (j < cps.size() && in_class(cps[j])) ++j;
  return j - i;
}

// `\s+(?!\S)|\s+` at cps[i] (a whitespace character): the whole run when it ends the text or
// is one character long; otherwise all but its last character, which goes with the next word.
size_t whitespace_at(const std::vector<char32_t>& cps, size_t i) {
  size_t end = i;
  while (end < cps.size() && is_whitespace(cps[end])) ++end;
  if (end == cps.size() || end - i == 1) return end - i;
  return end - i - 1;
}

}  // namespace

std::vector<std::string> gpt2_pretokenize(const std::string& text, const std::string& what) {
  const std::vector<char32_t> cps = decode_utf8(text, what);
  std::vector<std::string> pieces;
  size_t i = 0;
  while (i < cps.size()) {
    size_t n = contraction_at(cps, i);
    if (!n) n = run_at(cps, i, is_letter);
    if (!n) n = run_at(cps, i, is_number);
    if (!n) n = run_at(cps, i, is_other);
    if (!n) n = whitespace_at(cps, i);
    std::string piece;
    for (size_t k = i; k < i + n; ++k) piece += encode_utf8(cps[k]);
    pieces.push_back(std::move(piece));
    i += n;
  }
  return pieces;
}

}  // namespace gencli
