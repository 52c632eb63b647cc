#include "data/bpe_training.h"

#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/errors.h"
#include "data/byte_bpe.h"
#include "data/gpt2_pretokenizer.h"

namespace gencli {

namespace {

using Pair = std::pair<int, int>;

struct PairHash {
  size_t operator()(const Pair& p) const { return std::hash<uint64_t>()((uint64_t(uint32_t(p.first)) << 32) | uint32_t(p.second)); }
};

struct Word {
  std::vector<int> symbols;
  int64_t count = 0;
};

}  // namespace

BpeFiles train_byte_bpe(const std::string& text, int64_t vocab_size, const std::string& what) {
  if (vocab_size < 257) throw ConfigError("model.bpe_vocab_size: " + std::to_string(vocab_size) +
                                          " is too small; the 256 bytes and <|endoftext|> take 257");
  // Distinct words with their counts; each word as its byte tokens (ids 0..255).
  std::vector<Word> words;
  {
    std::unordered_map<std::string, size_t> index;
    for (const std::string& piece : gpt2_pretokenize(text, what)) {
      auto [it, fresh] = index.emplace(piece, words.size());
      if (fresh) {
        Word w;
        for (unsigned char b : piece) w.symbols.push_back(b);
        words.push_back(std::move(w));
      }
      ++words[it->second].count;
    }
  }
  std::vector<std::string> tokens(byte_to_unicode());  // id -> token in byte-to-unicode characters
  std::unordered_map<std::string, int> id_of;
  for (size_t id = 0; id < tokens.size(); ++id) id_of[tokens[id]] = static_cast<int>(id);
  std::unordered_map<Pair, int64_t, PairHash> counts;
  std::unordered_map<Pair, std::unordered_set<size_t>, PairHash> where;
  auto add_pairs = [&](size_t w, int64_t sign) {
    const std::vector<int>& s = words[w].symbols;
    for (size_t i = 0; i + 1 < s.size(); ++i) {
      const Pair p{s[i], s[i + 1]};
      counts[p] += sign * words[w].count;
      if (sign > 0) where[p].insert(w);
    }
  };
  for (size_t w = 0; w < words.size(); ++w) add_pairs(w, +1);

  BpeFiles files;
  std::string merges = "#version: 0.2\n";
  while (static_cast<int64_t>(tokens.size()) + 1 < vocab_size) {
    // The most frequent pair; ties go to the pair whose tokens sort first, so training is
    // deterministic.
    const Pair* best = nullptr;
    int64_t best_count = 1;  // a pair that occurs once is not worth a token
    for (const auto& [p, n] : counts) {
      if (n > best_count ||
          (n == best_count && best && n > 1 &&
           std::tie(tokens[p.first], tokens[p.second]) < std::tie(tokens[best->first], tokens[best->second]))) {
        best = &p;
        best_count = n;
      }
    }
    if (!best) break;
    const Pair pair = *best;
    // Two merges can spell the same token ("a"+"bc", "ab"+"c"): it keeps its one id.
    const std::string joined = tokens[pair.first] + tokens[pair.second];
    auto [known, fresh] = id_of.emplace(joined, static_cast<int>(tokens.size()));
    if (fresh) tokens.push_back(joined);
    const int merged = known->second;
    merges += tokens[pair.first] + " " + tokens[pair.second] + "\n";
    ++files.merges_learned;
    const std::unordered_set<size_t> affected = std::move(where[pair]);
    where.erase(pair);
    for (size_t w : affected) {
      add_pairs(w, -1);
      std::vector<int>& s = words[w].symbols;
      std::vector<int> next;
      for (size_t i = 0; i < s.size(); ++i) {
        if (i + 1 < s.size() && s[i] == pair.first && s[i + 1] == pair.second) {
          next.push_back(merged);
          ++i;
        } else {
          next.push_back(s[i]);
        }
      }
      s.swap(next);
      add_pairs(w, +1);
    }
    counts.erase(pair);
  }
  nlohmann::json vocab = nlohmann::json::object();
  for (size_t id = 0; id < tokens.size(); ++id) vocab[tokens[id]] = id;
  vocab[ByteBpe::kEndOfText] = tokens.size();
  files.vocab_json = vocab.dump();
  files.merges = merges;
  return files;
}

}  // namespace gencli
