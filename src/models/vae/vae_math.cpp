#include "models/vae/vae_math.h"

#include <cmath>

namespace gencli::vae {

namespace {

const double kLog2Pi = std::log(2.0 * M_PI);

}  // namespace

torch::Tensor gaussian_kl(const torch::Tensor& mu, const torch::Tensor& logvar) {
  return 0.5 * (mu.square() + logvar.exp() - 1.0 - logvar);
}

torch::Tensor log_normal(const torch::Tensor& z, const torch::Tensor& mu, const torch::Tensor& logvar) {
  return (-0.5 * (kLog2Pi + logvar + (z - mu).square() * (-logvar).exp())).sum(-1);
}

torch::Tensor log_standard_normal(const torch::Tensor& z) { return (-0.5 * (kLog2Pi + z.square())).sum(-1); }

torch::Tensor bernoulli_log_likelihood(const torch::Tensor& x, const torch::Tensor& logits) {
  // x log s(l) + (1 - x) log s(-l) is minus LibTorch's binary cross-entropy on logits: one
  // stable kernel forward and one backward, where the formula spelled out ran eight.
  const torch::Tensor ll =
      -torch::binary_cross_entropy_with_logits(logits, x, {}, {}, at::Reduction::None);
  return ll.flatten(1).sum(1);
}

torch::Tensor gaussian_log_likelihood(const torch::Tensor& x, const torch::Tensor& mean,
                                      const torch::Tensor& log_sigma) {
  torch::Tensor ll = -0.5 * kLog2Pi - log_sigma - 0.5 * (x - mean).square() * (-2 * log_sigma).exp();
  return ll.flatten(1).sum(1);
}

torch::Tensor iwae_bound(const torch::Tensor& log_weights) {
  return torch::logsumexp(log_weights, 0) - std::log(static_cast<double>(log_weights.size(0)));
}

int64_t count_active_units(const torch::Tensor& mu_all, double threshold) {
  return (mu_all.var(0, /*unbiased=*/false) > threshold).sum().item<int64_t>();
}

torch::Tensor dequantize(const torch::Tensor& x, const torch::Generator& generator) {
  return (torch::round(x * 255) + uniform_like(x, generator)) / 256;
}

}  // namespace gencli::vae
