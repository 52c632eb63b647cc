// GPT text generation: the context window policy, the key/value cache, and the draw of each
// token (greedy, or temperature with top-k and top-p).
#include "core/errors.h"
#include "models/categorical_draw.h"
#include "models/gpt/gpt_model.h"

namespace gencli::gpt {

namespace {

// The next token from the last position's logits (1, vocab).
int64_t next_token(const torch::Tensor& logits, const TextRequest& r) {
  if (r.temperature <= 0) return logits.argmax(-1).item<int64_t>();
  torch::Tensor filtered = filter_logits(logits.to(torch::kFloat).cpu() / r.temperature, r.top_k, r.top_p);
  return draw_categorical(filtered, 1.0, r.generator).item<int64_t>();
}

}  // namespace

std::vector<int64_t> GptModel::generate(const std::vector<int64_t>& prompt, const TextRequest& r,
                                        const std::function<void(int64_t id)>& on_token) {
  torch::NoGradGuard no_grad;
  // Dropout off while generating (and back on afterwards if the model was training).
  const bool was_training = is_training();
  eval();
  struct RestoreMode {
    GptModel* model;
    bool training;
    ~RestoreMode() { model->train(training); }
  } restore{this, was_training};
  const torch::Device device = network->wte->weight.device();
  const int64_t block = config_.block_size;
  auto as_tensor = [&](const std::vector<int64_t>& ids) {
    return torch::tensor(ids, torch::kLong).view({1, -1}).to(device);
  };
  // The context: the newest tokens, at most block_size, all of which the cache (if used) holds
  // except those in `pending`, which still have to run through the network.
  std::vector<int64_t> context(prompt.end() - std::min<int64_t>(prompt.size(), block), prompt.end());
  if (context.empty()) context.push_back(tokenizer_.start_id());  // no prompt
  KvCache cache;
  std::vector<int64_t> pending = context;
  std::vector<int64_t> generated;
  for (int64_t i = 0; i < r.max_new_tokens; ++i) {
    torch::Tensor logits;
    if (r.use_cache) {
      logits = network->forward(as_tensor(pending), &cache).select(1, -1);
    } else {
      logits = network->forward(as_tensor(context)).select(1, -1);
    }
    pending.clear();
    const int64_t id = next_token(logits, r);
    generated.push_back(id);
    if (on_token) on_token(id);
    if (static_cast<int64_t>(context.size()) == block) {
      // Full: keep the newest half (positions are absolute, so the cache starts over).
      context.erase(context.begin(), context.end() - block / 2);
      cache = KvCache();
      pending = context;
    }
    context.push_back(id);
    pending.push_back(id);
  }
  return generated;
}

std::string GptModel::sample_text(const TextRequest& request) {
  UnknownCharCount unknown;
  const std::vector<int64_t> prompt = tokenizer_.encode(request.prompt, "--prompt", &unknown);
  if (unknown.total > 0)
    spdlog::warn("--prompt: {}",
                 unknown.summary(tokenizer_.unknown_policy() == UnknownChars::skip ? "skipped" : "replaced"));
  std::string text;
  generate(prompt, request, [&](int64_t id) {
    const std::string piece = tokenizer_.decode_one(id);
    text += piece;
    if (request.emit) request.emit(piece);
  });
  return text;
}

}  // namespace gencli::gpt
