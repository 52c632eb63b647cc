#include "eval/frechet_distance.h"

#include "core/errors.h"

namespace gencli::eval {

namespace {

// The square root of a symmetric positive semi-definite matrix; tiny negative eigenvalues from
// rounding are treated as zero.
torch::Tensor symmetric_sqrt(const torch::Tensor& m) {
  auto [values, vectors] = torch::linalg_eigh(m);
  return vectors.mm(torch::diag(values.clamp_min(0).sqrt())).mm(vectors.t());
}

}  // namespace

GaussianStats gaussian_stats(const torch::Tensor& features) {
  if (features.dim() != 2 || features.size(0) < 2)
    throw UserError("Fréchet distance needs at least 2 feature vectors, got " + std::to_string(features.size(0)));
  torch::Tensor x = features.to(torch::kCPU, torch::kDouble);
  torch::Tensor mean = x.mean(0);
  torch::Tensor centred = x - mean;
  return {mean, centred.t().mm(centred) / static_cast<double>(x.size(0) - 1)};
}

double frechet_distance(const GaussianStats& a, const GaussianStats& b) {
  const double mean_term = (a.mean - b.mean).pow(2).sum().item<double>();
  torch::Tensor root_a = symmetric_sqrt(a.covariance);
  torch::Tensor middle = root_a.mm(b.covariance).mm(root_a);
  middle = 0.5 * (middle + middle.t());
  const double cross = torch::linalg_eigvalsh(middle).clamp_min(0).sqrt().sum().item<double>();
  const double d = mean_term + a.covariance.trace().item<double>() + b.covariance.trace().item<double>() - 2 * cross;
  return std::max(d, 0.0);
}

}  // namespace gencli::eval
