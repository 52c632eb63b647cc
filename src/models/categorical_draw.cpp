#include "models/categorical_draw.h"

namespace gencli {

torch::Tensor draw_categorical(const torch::Tensor& logits, double temperature, const torch::Generator& generator) {
  TORCH_CHECK(logits.dim() == 2, "draw_categorical expects (N, K) logits");
  TORCH_CHECK(temperature > 0, "temperature must be > 0");
  torch::Tensor probs = torch::softmax(logits.to(torch::kFloat).cpu() / temperature, 1);
  torch::Tensor cdf = probs.cumsum(1);
  torch::Tensor u = torch::rand({logits.size(0), 1}, generator);
  // The first index whose cumulative probability exceeds u; clamped against a cdf that rounds
  // to just below 1 at the end.
  torch::Tensor index = (cdf <= u).sum(1).clamp_max(logits.size(1) - 1);
  return index.to(logits.device());
}

torch::Tensor draw_bernoulli(const torch::Tensor& logits, double temperature, const torch::Generator& generator) {
  TORCH_CHECK(temperature > 0, "temperature must be > 0");
  torch::Tensor p = torch::sigmoid(logits.to(torch::kFloat).cpu() / temperature);
  return (torch::rand(p.sizes(), generator) < p).to(torch::kFloat).to(logits.device());
}

}  // namespace gencli
