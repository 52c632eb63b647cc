#include "data/byte_bpe.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/errors.h"
#include "data/gpt2_pretokenizer.h"
#include "data/tokenizer.h"

namespace gencli {

const std::vector<std::string>& byte_to_unicode() {
  static const std::vector<std::string> map = [] {
    std::vector<std::string> m(256);
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      m[b] = encode_utf8(printable ? static_cast<char32_t>(b) : next++);
    }
    return m;
  }();
  return map;
}

ByteBpe::ByteBpe(const std::string& vocab_json, const std::string& merges, const std::string& what) {
  // The inverse of byte_to_unicode, to turn a token's characters back into bytes.
  std::unordered_map<char32_t, char> byte_of;
  for (int b = 0; b < 256; ++b) byte_of[decode_utf8(byte_to_unicode()[b], what)[0]] = static_cast<char>(b);

  nlohmann::json vocab;
  try {
    vocab = nlohmann::json::parse(vocab_json);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(what + ": vocab.json is not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!vocab.is_object() || vocab.empty()) throw DataError(what + ": vocab.json must be an object of token -> id");
  bytes_of_.assign(vocab.size(), std::string());
  std::vector<bool> seen(vocab.size(), false);
  for (const auto& [token, id_json] : vocab.items()) {
    if (!id_json.is_number_integer() || id_json.get<int64_t>() < 0 ||
        id_json.get<int64_t>() >= static_cast<int64_t>(vocab.size()) || seen[id_json.get<size_t>()])
      throw DataError(what + ": vocab.json: token \"" + token + "\" has id " + id_json.dump() + "; ids must be 0.." +
                      std::to_string(vocab.size() - 1) + ", each once");
    const auto id = id_json.get<int64_t>();
    seen[static_cast<size_t>(id)] = true;
    ids_[token] = id;
    if (token == kEndOfText) {
      end_of_text_ = id;
      bytes_of_[static_cast<size_t>(id)] = token;
      continue;
    }
    std::string bytes;
    for (char32_t c : decode_utf8(token, what + ": vocab.json")) {
      auto it = byte_of.find(c);
      if (it == byte_of.end())
        throw DataError(what + ": vocab.json: token \"" + token + "\" holds a character outside GPT-2's byte map");
      bytes += it->second;
    }
    bytes_of_[static_cast<size_t>(id)] = bytes;
  }

  std::istringstream lines(merges);
  std::string line;
  int64_t rank = 0, number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (number == 1 && line.rfind("#version", 0) == 0)) continue;
    const size_t space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size() || line.find(' ', space + 1) != std::string::npos)
      throw DataError(what + ": merges.txt line " + std::to_string(number) + ": expected two tokens separated by a space");
    ranks_.emplace(line, rank++);  // the first occurrence of a pair is its rank
  }
}

void ByteBpe::encode_word(const std::string& word, std::vector<int64_t>& ids) const {
  if (auto hit = word_cache_.find(word); hit != word_cache_.end()) {
    ids.insert(ids.end(), hit->second.begin(), hit->second.end());
    return;
  }
  std::vector<std::string> symbols;
  for (unsigned char b : word) symbols.push_back(byte_to_unicode()[b]);
  // Merge the best-ranked adjacent pair, every occurrence left to right, until none is left.
  while (symbols.size() > 1) {
    int64_t best = std::numeric_limits<int64_t>::max();
    size_t best_at = 0;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      auto it = ranks_.find(symbols[i] + " " + symbols[i + 1]);
      if (it != ranks_.end() && it->second < best) {
        best = it->second;
        best_at = i;
      }
    }
    if (best == std::numeric_limits<int64_t>::max()) break;
    const std::string left = symbols[best_at], right = symbols[best_at + 1];
    std::vector<std::string> merged;
    for (size_t i = 0; i < symbols.size(); ++i) {
      if (i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right) {
        merged.push_back(left + right);
        ++i;
      } else {
        merged.push_back(symbols[i]);
      }
    }
    symbols.swap(merged);
  }
  std::vector<int64_t> word_ids;
  for (const std::string& s : symbols) {
    auto it = ids_.find(s);
    if (it == ids_.end()) throw DataError("byte-level BPE: the token \"" + s + "\" is not in vocab.json");
    word_ids.push_back(it->second);
  }
  ids.insert(ids.end(), word_ids.begin(), word_ids.end());
  if (word_cache_.size() < 100000) word_cache_.emplace(word, std::move(word_ids));
}

std::vector<int64_t> ByteBpe::encode(const std::string& text, const std::string& what) const {
  std::vector<int64_t> ids;
  size_t start = 0;
  while (start < text.size()) {
    // The text up to the next special token goes through the pre-tokenizer; the token is one id.
    size_t special = end_of_text_ >= 0 ? text.find(kEndOfText, start) : std::string::npos;
    const size_t end = special == std::string::npos ? text.size() : special;
    for (const std::string& word : gpt2_pretokenize(text.substr(start, end - start), what)) encode_word(word, ids);
    if (special == std::string::npos) break;
    ids.push_back(end_of_text_);
    start = special + std::string(kEndOfText).size();
  }
  return ids;
}

std::string ByteBpe::decode_one(int64_t id) const {
  if (id < 0 || id >= size())
    throw DataError("token id " + std::to_string(id) + " is outside the vocabulary (ids 0.." + std::to_string(size() - 1) + ")");
  return bytes_of_[static_cast<size_t>(id)];
}

}  // namespace gencli
