#include "eval/classifier_score.h"

#include <cmath>

#include "core/errors.h"

namespace gencli::eval {

ClassifierScore classifier_score(const torch::Tensor& probabilities, int64_t splits) {
  torch::Tensor p = probabilities.to(torch::kCPU, torch::kDouble).clamp_min(1e-12);
  splits = std::max<int64_t>(1, std::min(splits, p.size(0)));
  if (p.size(0) < 1) throw UserError("classifier score: no samples");
  std::vector<double> scores;
  for (torch::Tensor part : p.chunk(splits, 0)) {
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
