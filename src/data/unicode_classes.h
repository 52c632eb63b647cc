#pragma once
// The Unicode character classes GPT-2's pre-tokenizer pattern uses: \p{L} (letters), \p{N}
// (numbers) and \s (White_Space). The letter and number tables are generated
// (scripts/gen_unicode_classes.py).

namespace gencli::unicode {

bool is_letter(char32_t cp);  // general category L (Lu, Ll, Lt, Lm, Lo)
bool is_number(char32_t cp);  // general category N (Nd, Nl, No)

// The White_Space property: the 25 code points regular expressions' \s matches.
inline bool is_whitespace(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

}  // namespace gencli::unicode
