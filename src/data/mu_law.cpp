#include "data/mu_law.h"

#include <cmath>

namespace gencli {

torch::Tensor mu_law_encode(const torch::Tensor& audio, int64_t levels) {
  TORCH_CHECK(levels >= 2, "mu_law_encode needs at least 2 levels, got ", levels);
  const double mu = double(levels - 1);
  torch::Tensor x = audio.to(torch::kFloat).clamp(-1.0, 1.0);
  torch::Tensor companded = x.sign() * torch::log1p(mu * x.abs()) / std::log1p(mu);  // F(x) in [-1, 1]
  // [-1, 1] -> [0, mu], rounded to the nearest level.
  return ((companded + 1.0) * (mu / 2.0)).round().to(torch::kLong);
}

torch::Tensor mu_law_decode(const torch::Tensor& codes, int64_t levels) {
  TORCH_CHECK(levels >= 2, "mu_law_decode needs at least 2 levels, got ", levels);
  const double mu = double(levels - 1);
  torch::Tensor companded = codes.to(torch::kFloat) * (2.0 / mu) - 1.0;  // back to [-1, 1]
  // F^-1(y) = sign(y) ((1 + mu)^|y| - 1) / mu
  return companded.sign() * torch::expm1(companded.abs() * std::log1p(mu)) / mu;
}

}  // namespace gencli
