#include "models/diffusion/prompt_tokenizer.h"

#include <algorithm>

#include "core/errors.h"

namespace gencli::diffusion {

namespace {

// Padded ids are never read (the padding mask hides them), so id 0 serves as padding here.
PromptTokens pad_to(const PromptTokens& t, int64_t length) {
  const int64_t extra = length - t.ids.size(1);
  if (extra == 0) return t;
  return {torch::cat({t.ids, torch::zeros({t.ids.size(0), extra}, t.ids.options())}, 1),
          torch::cat({t.padding, torch::ones({t.padding.size(0), extra}, t.padding.options())}, 1)};
}

}  // namespace

PromptTokens concat(const PromptTokens& a, const PromptTokens& b) {
  const int64_t length = std::max(a.ids.size(1), b.ids.size(1));
  const PromptTokens pa = pad_to(a, length), pb = pad_to(b, length);
  return {torch::cat({pa.ids, pb.ids}), torch::cat({pa.padding, pb.padding})};
}

PromptTokenizer::PromptTokenizer(const DiffusionConfig& c)
    : prompt_tokens_(256), max_tokens_(c.text_max_tokens), unit_("bytes") {
  if (!c.text_conditional || c.text_tokenizer != "bpe") return;  // a model that reads no prompts needs no BPE
  if (c.text_bpe_vocab.empty() || c.text_bpe_merges.empty())
    throw ConfigError(std::string(c.text_bpe_vocab.empty() ? "model.text_bpe_vocab" : "model.text_bpe_merges") +
                      ": the \"bpe\" text tokenizer has no vocabulary (it is trained on the "
                      "captions when a run starts; a config edited by hand must keep text_bpe_vocab and text_bpe_merges)");
  try {
    bpe_ = std::make_shared<const ByteBpe>(c.text_bpe_vocab, c.text_bpe_merges, "model.text_bpe_vocab");
  } catch (const DataError& e) {
    throw ConfigError(e.what());
  }
  prompt_tokens_ = bpe_->size();
  unit_ = "tokens";
}

std::vector<int64_t> PromptTokenizer::encode(const std::string& prompt, const std::string& what) const {
  if (bpe_) return bpe_->encode(prompt, what);
  std::vector<int64_t> ids;
  for (char ch : prompt) ids.push_back(static_cast<unsigned char>(ch));
  return ids;
}

PromptTokens PromptTokenizer::tokenize(const std::vector<std::string>& prompts, const std::string& what) const {
  std::vector<std::vector<int64_t>> encoded;
  size_t longest = 0;
  for (const std::string& p : prompts) {
    encoded.push_back(encode(p, what + " \"" + p + "\""));
    if (static_cast<int64_t>(encoded.back().size()) > max_tokens_ - 1)
      throw UserError(what + " \"" + p + "\": " + std::to_string(encoded.back().size()) + " " + unit_ +
                      ", but the text encoder reads at most " + std::to_string(max_tokens_ - 1) +
                      " (model.text_max_tokens " + std::to_string(max_tokens_) + ", one for the start token)");
    longest = std::max(longest, encoded.back().size());
  }
  // Padded to the longest prompt only: the encoder's cost grows with the length.
  const int64_t b = static_cast<int64_t>(prompts.size()), length = static_cast<int64_t>(longest) + 1;
  torch::Tensor ids = torch::full({b, length}, pad_token(), torch::kLong);
  torch::Tensor padding = torch::ones({b, length}, torch::kBool);
  auto id = ids.accessor<int64_t, 2>();
  auto pad = padding.accessor<bool, 2>();
  for (int64_t i = 0; i < b; ++i) {
    id[i][0] = start_token();
    pad[i][0] = false;
    const std::vector<int64_t>& tokens = encoded[static_cast<size_t>(i)];
    for (size_t j = 0; j < tokens.size(); ++j) {
      id[i][static_cast<int64_t>(j) + 1] = tokens[j];
      pad[i][static_cast<int64_t>(j) + 1] = false;
    }
  }
  return {ids, padding};
}

}  // namespace gencli::diffusion
