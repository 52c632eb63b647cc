#include "models/gpt/gpt_model.h"

#include <cmath>

#include "core/errors.h"
#include "data/byte_bpe.h"
#include "models/categorical_draw.h"
#include "models/likelihood_summary.h"

namespace gencli::gpt {

Tokenizer make_tokenizer(const GptConfig& config) {
  if (config.tokenizer == "byte") return Tokenizer::bytes();
  if (config.tokenizer == "gpt2-bpe" || config.tokenizer == "bpe") {
    if (config.bpe_vocab.empty() || config.bpe_merges.empty())
      throw ConfigError(config.tokenizer == "bpe"
                            ? "model.bpe_vocab: empty; a bpe tokenizer is trained on data.path when training starts"
                            : "model.tokenizer_dir: gpt2-bpe needs vocab.json and merges.txt; name the folder that holds "
                              "them (a GPT-2 download), or set model.bpe_vocab and model.bpe_merges");
    return Tokenizer::bpe(std::make_shared<ByteBpe>(config.bpe_vocab, config.bpe_merges,
                                                    config.tokenizer_dir.empty() ? "model.bpe_vocab" : config.tokenizer_dir));
  }
  if (config.vocabulary.empty())
    throw ConfigError("model.vocabulary: empty; a char tokenizer takes its characters from data.path when "
                      "training starts, or list them here");
  return Tokenizer::chars(config.vocabulary, parse_unknown_chars(config.unknown_chars), config.unknown_replacement);
}

namespace {

Capabilities gpt_capabilities(const GptConfig& config) {
  Capabilities c;
  c.output = Output::text;
  c.reads.temperature = true;
  c.reads.cache = true;
  c.validation_loss = true;
  c.adapters_only = config.lora_rank > 0;
  return c;
}

}  // namespace

GptModel::GptModel(GptConfig config)
    : Model(gpt_capabilities(config)), config_(std::move(config)), tokenizer_(make_tokenizer(config_)) {
  if (config_.n_embd % config_.n_head != 0)
    throw ConfigError("model.n_embd: " + std::to_string(config_.n_embd) + " is not divisible by model.n_head " +
                      std::to_string(config_.n_head));
  network = register_module("network", GptNetwork(config_, tokenizer_.size()));
}

std::vector<OptimizedPart> GptModel::optimized_parts() {
  // Weight decay on matrices only (nanoGPT's grouping): embeddings and linear weights decay;
  // biases and norm gains do not.
  OptimizedPart decay{"decay", {}, true}, no_decay{"no_decay", {}, false};
  for (auto& p : parameters()) {
    if (!p.requires_grad()) continue;
    (p.dim() >= 2 ? decay : no_decay).parameters.push_back(p);
  }
  std::vector<OptimizedPart> parts;
  for (auto* part : {&decay, &no_decay})
    if (!part->parameters.empty()) parts.push_back(*part);
  return parts;
}

torch::Tensor GptModel::loss(const torch::Tensor& windows) {
  torch::Tensor inputs = windows.slice(1, 0, -1), targets = windows.slice(1, 1);
  torch::Tensor logits = network->forward(inputs);
  return torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}), targets.reshape({-1}));
}

StepMetrics GptModel::train_step(StepContext& ctx) {
  Batch batch = ctx.batches->next();
  torch::Tensor nats = loss(batch.tokens);
  const auto parts = optimized_parts();
  for (const auto& part : parts) ctx.optimizers->zero_grad(part.name);
  ctx.optimizers->backward(nats);
  for (const auto& part : parts) ctx.optimizers->update(part.name);
  const double value = nats.item<double>();
  return {{"loss", value}, {"bits_per_token", value / std::log(2.0)}};
}

double GptModel::validation_nats(const torch::Tensor& tokens, int64_t batch) {
  torch::NoGradGuard no_grad;
  const torch::Tensor flat = tokens.reshape({-1});
  const int64_t n = flat.size(0), t = config_.block_size;
  if (n < 2) throw UserError("validation text: " + std::to_string(n) + " token(s); scoring needs at least 2");
  double sum = 0;
  int64_t count = 0;
  // Windows of block_size + 1 tokens overlapping by one, so every token but the first is
  // predicted exactly once; the last, shorter window is scored too.
  std::vector<torch::Tensor> group;
  auto flush = [&] {
    if (group.empty()) return;
    torch::Tensor windows = torch::stack(group);
    const int64_t predicted = windows.size(0) * (windows.size(1) - 1);
    sum += loss(windows).item<double>() * static_cast<double>(predicted);
    count += predicted;
    group.clear();
  };
  for (int64_t start = 0; start + 1 < n; start += t) {
    const int64_t len = std::min(t + 1, n - start);
    if (len != t + 1) flush();
    group.push_back(flat.slice(0, start, start + len));
    if (len != t + 1 || static_cast<int64_t>(group.size()) == batch) flush();
  }
  flush();
  return sum / static_cast<double>(count);
}

Validation GptModel::validate(EvalContext& ctx) { return {validation_nats(ctx.test_split.tokens), {}}; }

nlohmann::json GptModel::evaluate(EvalContext& ctx) {
  if (!ctx.test_split.tokens.defined()) throw UserError("gpt eval needs the validation text (data.path)");
  const double nats = validation_nats(ctx.test_split.tokens);
  nlohmann::json j;
  j["val_tokens"] = ctx.test_split.tokens.numel();
  j["val_loss_nats_per_token"] = nats;
  j[std::string("bits_per_") + tokenizer_.unit()] = nats / std::log(2.0);
  j["perplexity"] = std::exp(nats);
  j["parameters"] = parameter_count(false);
  add_likelihood_row(j, likelihood_row("autoregressive", true, nats, tokenizer_.unit(), 1,
                                       "the validation text (the last data.test_fraction)"));
  return j;
}

int64_t GptModel::parameter_count(bool trainable_only) const {
  int64_t n = 0;
  for (const auto& p : parameters())
    if (!trainable_only || p.requires_grad()) n += p.numel();
  return n;
}

void GptModel::merge_adapters() {
  for (auto& module : modules(/*include_self=*/false))
    if (auto* layer = dynamic_cast<LoraLinearImpl*>(module.get())) layer->merge();
}

}  // namespace gencli::gpt
