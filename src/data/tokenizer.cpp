#include "data/tokenizer.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

#include "core/errors.h"
#include "data/byte_bpe.h"

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

namespace {

// "\"x\" (U+0078)", or for a control character (a newline, say) only its code, which keeps an
// error or a log line on one line.
std::string describe_char(char32_t cp) {
  char code[16];
  std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
  if (cp < 0x20 || cp == 0x7F) return std::string("(") + code + ")";
  return "\"" + encode_utf8(cp) + "\" (" + code + ")";
}

}  // namespace

UnknownChars parse_unknown_chars(const std::string& name) {
  if (name == "skip") return UnknownChars::skip;
  if (name == "replace") return UnknownChars::replace;
  if (name == "error") return UnknownChars::error;
  throw ConfigError("model.unknown_chars: expected \"error\", \"skip\" or \"replace\", got \"" + name + "\"");
}

std::string UnknownCharCount::summary(const std::string& action) const {
  std::vector<std::pair<int64_t, char32_t>> order;
  for (const auto& [cp, n] : by_char) order.emplace_back(-n, cp);
  std::sort(order.begin(), order.end());
  std::string text = std::to_string(total) + (total == 1 ? " character" : " characters") +
                     " outside the vocabulary " + action + ":";
  const size_t shown = std::min<size_t>(order.size(), 8);
  for (size_t i = 0; i < shown; ++i)
    text += (i ? ", " : " ") + describe_char(order[i].second) + " x" + std::to_string(-order[i].first);
  if (order.size() > shown) text += ", and " + std::to_string(order.size() - shown) + " more";
  return text;
}

Tokenizer Tokenizer::bytes() { return Tokenizer(); }

Tokenizer Tokenizer::bpe(std::shared_ptr<const ByteBpe> bpe) {
  Tokenizer t;
  t.bpe_ = std::move(bpe);
  return t;
}

Tokenizer Tokenizer::chars(const std::string& vocabulary, UnknownChars unknown, const std::string& replacement) {
  Tokenizer t;
  t.byte_level_ = false;
  t.unknown_ = unknown;
  for (char32_t cp : decode_utf8(vocabulary, "model.vocabulary")) {
    if (t.ids_.count(cp)) continue;
    t.ids_[cp] = static_cast<int64_t>(t.pieces_.size());
    t.pieces_.push_back(encode_utf8(cp));
  }
  if (unknown == UnknownChars::replace) {
    const std::vector<char32_t> r = decode_utf8(replacement, "model.unknown_replacement");
    if (r.size() != 1) throw ConfigError("model.unknown_replacement: must be one character, got \"" + replacement + "\"");
    auto it = t.ids_.find(r[0]);
    if (it == t.ids_.end())
      throw ConfigError("model.unknown_replacement: the character " + describe_char(r[0]) +
                        " is not in the model's vocabulary, so it cannot stand in for unknown characters");
    t.replacement_id_ = it->second;
  }
  return t;
}

int64_t Tokenizer::start_id() const { return bpe_ && bpe_->end_of_text() >= 0 ? bpe_->end_of_text() : 0; }

int64_t Tokenizer::size() const {
  if (bpe_) return bpe_->size();
  return byte_level_ ? 256 : static_cast<int64_t>(pieces_.size());
}

std::vector<int64_t> Tokenizer::encode(const std::string& text, const std::string& what,
                                       UnknownCharCount* unknown) const {
  if (bpe_) return bpe_->encode(text, what);
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
    if (it != ids_.end()) {
      ids.push_back(it->second);
      continue;
    }
    if (unknown_ == UnknownChars::error)
      throw UserError(what + ": the character " + describe_char(cp) + " is not in the model's vocabulary of " +
                      std::to_string(pieces_.size()) + " characters (model.unknown_chars \"skip\" or \"replace\" "
                      "would let it through)");
    if (unknown_ == UnknownChars::replace) ids.push_back(replacement_id_);
    if (unknown) {
      ++unknown->total;
      ++unknown->by_char[cp];
    }
  }
  return ids;
}

std::string Tokenizer::decode_one(int64_t id) const {
  // An id from a model whose output is wider than this vocabulary would otherwise escape as
  // std::out_of_range (char) or wrap to another byte (byte).
  if (bpe_) return bpe_->decode_one(id);
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
