#include "eval/classifier_score.h"

#include <cmath>

#include "core/errors.h"

namespace gencli::eval {

ClassifierScore classifier_score(const torch::Tensor& probabilities, int64_t splits) {
  if (probabilities.size(0) < 1) throw UserError("classifier score: no samples");
  torch::Tensor p = probabilities.to(torch::kCPU, torch::kDouble).clamp_min(1e-12);
  // Equal parts of N / splits, the remainder left out: a short part would score lower.
  splits = std::max<int64_t>(1, std::min(splits, p.size(0)));
  const int64_t part_size = p.size(0) / splits;
  std::vector<double> scores;
  for (int64_t i = 0; i < splits; ++i) {
    torch::Tensor part = p.slice(0, i * part_size, (i + 1) * part_size);
    torch::Tensor marginal = part.mean(0, /*keepdim=*/true);
    const double kl = (part * (part.log() - marginal.log())).sum(1).mean().item<double>();
    scores.push_back(std::exp(kl));
  }
  ClassifierScore s;
  s.splits = static_cast<int64_t>(scores.size());
  for (double v : scores) s.mean += v / scores.size();
  for (double v : scores) s.std += (v - s.mean) * (v - s.mean) / scores.size();
  s.std = std::sqrt(s.std);
  return s;
}

}  // namespace gencli::eval
