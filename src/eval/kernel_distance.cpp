#include "eval/kernel_distance.h"

#include <cmath>

#include "core/errors.h"

namespace gencli::eval {

namespace {

torch::Tensor cubic_kernel(const torch::Tensor& x, const torch::Tensor& y) {
  return (x.mm(y.t()) / static_cast<double>(x.size(1)) + 1).pow(3);
}

}  // namespace

double unbiased_mmd2(const torch::Tensor& x, const torch::Tensor& y) {
  const double m = static_cast<double>(x.size(0));
  torch::Tensor kxx = cubic_kernel(x, x), kyy = cubic_kernel(y, y), kxy = cubic_kernel(x, y);
  // Within-set sums leave out the diagonal (k(x, x)): that is what makes the estimate unbiased.
  const double within = ((kxx.sum() - kxx.trace()) + (kyy.sum() - kyy.trace())).item<double>() / (m * (m - 1));
  return within - 2 * kxy.sum().item<double>() / (m * m);
}

KernelDistance kernel_distance(const torch::Tensor& a, const torch::Tensor& b, int64_t subsets,
                               int64_t max_subset_size, uint64_t seed) {
  const int64_t m = std::min({max_subset_size, a.size(0), b.size(0)});
  if (m < 2) throw UserError("KID needs at least 2 feature vectors in each set");
  torch::Tensor x_all = a.to(torch::kCPU, torch::kDouble), y_all = b.to(torch::kCPU, torch::kDouble);
  auto generator = at::detail::createCPUGenerator(seed);
  std::vector<double> values;
  for (int64_t s = 0; s < subsets; ++s) {
    torch::Tensor ix = torch::randperm(x_all.size(0), generator, torch::kLong).slice(0, 0, m);
    torch::Tensor iy = torch::randperm(y_all.size(0), generator, torch::kLong).slice(0, 0, m);
    values.push_back(unbiased_mmd2(x_all.index_select(0, ix), y_all.index_select(0, iy)));
  }
  KernelDistance k;
  k.subsets = subsets;
  k.subset_size = m;
  for (double v : values) k.mean += v / values.size();
  for (double v : values) k.std += (v - k.mean) * (v - k.mean) / values.size();
  k.std = std::sqrt(k.std);
  return k;
}

}  // namespace gencli::eval
