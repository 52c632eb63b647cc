#include "data/tokenizer.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/errors.h"

namespace gencli {

std::vector<char32_t> decode_utf8(const std::string& text, const std::string& what) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    int extra = lead < 0x80 ? 0 : (lead >> 5) == 0x6 ? 1 : (lead >> 4) == 0xE ? 2 : (lead >> 3) == 0x1E ? 3 : -1;
    if (extra < 0 || i + extra >= text.size())
      throw DataError(what + ": not valid UTF-8 at byte " + std::to_string(i));
    char32_t cp = extra == 0 ? lead : lead & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      if ((c >> 6) != 0x2) throw DataError(what + ": not valid UTF-8 at byte " + std::to_string(i));
      cp = (cp << 6) | (c & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 either.
    static const char32_t kSmallest[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kSmallest[extra] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      throw DataError(what + ": not valid UTF-8 at byte " + std::to_string(i));
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}

std::string encode_utf8(char32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

std::string vocabulary_of(const std::string& text, const std::string& what) {
  const std::vector<char32_t> cps = decode_utf8(text, what);
  std::set<char32_t> distinct(cps.begin(), cps.end());
  std::string vocabulary;
  for (char32_t cp : distinct) vocabulary += encode_utf8(cp);
  return vocabulary;
}

Tokenizer Tokenizer::bytes() { return Tokenizer(); }

Tokenizer Tokenizer::chars(const std::string& vocabulary) {
  Tokenizer t;
  t.byte_level_ = false;
  for (char32_t cp : decode_utf8(vocabulary, "model.vocabulary")) {
    if (t.ids_.count(cp)) continue;
    t.ids_[cp] = static_cast<int64_t>(t.pieces_.size());
    t.pieces_.push_back(encode_utf8(cp));
  }
  return t;
}

int64_t Tokenizer::size() const { return byte_level_ ? 256 : static_cast<int64_t>(pieces_.size()); }

std::vector<int64_t> Tokenizer::encode(const std::string& text, const std::string& what) const {
  std::vector<int64_t> ids;
  if (byte_level_) {
    ids.reserve(text.size());
    for (char c : text) ids.push_back(static_cast<unsigned char>(c));
    return ids;
  }
  const std::vector<char32_t> cps = decode_utf8(text, what);
  ids.reserve(cps.size());
  for (char32_t cp : cps) {
    auto it = ids_.find(cp);
    if (it == ids_.end()) {
      char code[16];
      std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
      // A control character (a newline, say) is named by its code only, keeping the error one line.
      const std::string shown = cp < 0x20 || cp == 0x7F ? "" : "\"" + encode_utf8(cp) + "\" ";
      throw UserError(what + ": the character " + shown + "(" + code +
                      ") is not in the model's vocabulary of " + std::to_string(pieces_.size()) + " characters");
    }
    ids.push_back(it->second);
  }
  return ids;
}

std::string Tokenizer::decode_one(int64_t id) const {
  // An id from a model whose output is wider than this vocabulary would otherwise escape as
  // std::out_of_range (char) or wrap to another byte (byte).
  if (id < 0 || id >= size())
    throw DataError("token id " + std::to_string(id) + " is outside the vocabulary (ids 0.." +
                    std::to_string(size() - 1) + ")");
  if (byte_level_) return std::string(1, static_cast<char>(id));
  return pieces_[static_cast<size_t>(id)];
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids) const {
  std::string text;
  for (int64_t id : ids) text += decode_one(id);
  return text;
}

}  // namespace gencli
