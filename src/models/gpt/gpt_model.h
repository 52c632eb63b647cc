#pragma once
// The GPT family: a causal Transformer over text tokens trained to predict the next token
// (data.type "text"), with streaming generation from a prompt (temperature, top-k, top-p) with
// or without a key/value cache, validation loss in nats per token, and LoRA adapters.
#include <memory>

#include "data/tokenizer.h"
#include "models/gpt/gpt_config.h"
#include "models/gpt/gpt_network.h"
#include "models/model.h"

namespace gencli::gpt {

class GptModel : public Model {
 public:
  explicit GptModel(GptConfig config);

  std::vector<OptimizedPart> optimized_parts() override;
  StepMetrics train_step(StepContext& ctx) override;
  nlohmann::json evaluate(EvalContext& ctx) override;
  TextInput text_input() const override { return {&tokenizer_, config_.block_size + 1}; }
  std::string sample_text(const TextRequest& request) override;
  Validation validate(EvalContext& ctx) override;

  // Mean cross-entropy in nats per predicted token of windows (B, T + 1): tokens 1..T from
  // the ones before them.
  torch::Tensor loss(const torch::Tensor& windows);
  // The ids generated after `prompt` (ids), drawn one at a time. The context is at most
  // block_size tokens: when it is full, the oldest half is dropped and generation goes on from
  // the newest half. With the cache, only new tokens run through the network (the rest of the
  // context's keys and values are kept); without, the whole context runs for every token. Both
  // compute the same logits and draw the same tokens from the same generator.
  std::vector<int64_t> generate(const std::vector<int64_t>& prompt, const TextRequest& request,
                                const std::function<void(int64_t id)>& on_token = {});
  // Mean NLL (nats per token) over the validation tokens (1, N), in consecutive windows.
  double validation_nats(const torch::Tensor& tokens, int64_t batch = 32);
  // Folds every adapter into its weights (for export).
  void merge_adapters() override;
  int64_t parameter_count(bool trainable_only) const;

  const GptConfig& config() const { return config_; }

  GptNetwork network{nullptr};

 private:
  GptConfig config_;
  Tokenizer tokenizer_;
};

// The tokenizer a GPT config describes (char: its vocabulary; byte: 256 ids).
Tokenizer make_tokenizer(const GptConfig& config);

}  // namespace gencli::gpt
