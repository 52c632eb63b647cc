#include "models/discrete_pixels.h"

#include <cmath>

namespace gencli {

torch::Tensor uniform_like(const torch::Tensor& x, const torch::Generator& generator) {
  if (!generator.defined()) return torch::rand_like(x);
  return torch::rand(x.sizes(), generator, torch::TensorOptions().dtype(x.dtype())).to(x.device());
}

torch::Tensor binarize(const torch::Tensor& x, const torch::Generator& generator) {
  return binarize_with(x, uniform_like(x, generator));
}

torch::Tensor binarize_with(const torch::Tensor& x, const torch::Tensor& u) { return (u < x).to(x.dtype()); }

torch::Tensor to_levels(const torch::Tensor& x, int64_t levels) {
  // x * levels lands at least 1/255 above an integer for 8-bit x below 1, so float error cannot
  // move a byte into its neighbour's level.
  return torch::floor(x * levels).clamp(0, levels - 1).to(torch::kLong);
}

torch::Tensor from_levels(const torch::Tensor& levels_tensor, int64_t levels) {
  return levels_tensor.to(torch::kFloat) / static_cast<double>(levels - 1);
}

double bits_per_dim(double nats, int64_t dims) { return nats / (static_cast<double>(dims) * std::log(2.0)); }

}  // namespace gencli
