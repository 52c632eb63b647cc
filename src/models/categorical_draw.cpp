#include "models/categorical_draw.h"

#include <limits>

namespace gencli {

torch::Tensor draw_categorical(const torch::Tensor& logits, double temperature, const torch::Generator& generator) {
  TORCH_CHECK(logits.dim() == 2, "draw_categorical expects (N, K) logits");
  TORCH_CHECK(temperature > 0, "temperature must be > 0");
  torch::Tensor probs = torch::softmax(logits.to(torch::kFloat).cpu() / temperature, 1);
  torch::Tensor cdf = probs.cumsum(1);
  // u scaled to the cdf's own total (which rounds to just below or above 1), so the first index
  // whose cumulative probability exceeds u always exists and never has probability zero.
  torch::Tensor u = torch::rand({logits.size(0), 1}, generator) * cdf.select(1, -1).unsqueeze(1);
  torch::Tensor index = (cdf <= u).sum(1);
  return index.to(logits.device());
}

torch::Tensor draw_bernoulli(const torch::Tensor& logits, double temperature, const torch::Generator& generator) {
  TORCH_CHECK(temperature > 0, "temperature must be > 0");
  torch::Tensor p = torch::sigmoid(logits.to(torch::kFloat).cpu() / temperature);
  return (torch::rand(p.sizes(), generator) < p).to(torch::kFloat).to(logits.device());
}

torch::Tensor filter_logits(const torch::Tensor& logits, int64_t top_k, double top_p) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  torch::Tensor out = logits;
  if (top_k > 0 && top_k < logits.size(-1)) {
    torch::Tensor kth = std::get<0>(out.topk(top_k, -1)).select(-1, top_k - 1).unsqueeze(-1);
    out = out.masked_fill(out < kth, neg_inf);
  }
  if (top_p < 1.0) {
    auto [sorted, order] = out.sort(-1, /*descending=*/true);
    torch::Tensor cumulative = torch::softmax(sorted, -1).cumsum(-1);
    // Drop a token when the tokens ranked above it already reach top_p.
    torch::Tensor drop_sorted = (cumulative - torch::softmax(sorted, -1)) >= top_p;
    torch::Tensor drop = torch::zeros_like(drop_sorted).scatter(-1, order, drop_sorted);
    out = out.masked_fill(drop, neg_inf);
  }
  return out;
}

}  // namespace gencli
