#include "eval/class_coverage.h"

#include <cmath>

#include "core/errors.h"

namespace gencli::eval {

ClassCoverage class_coverage(const torch::Tensor& predicted, int64_t num_classes) {
  if (predicted.numel() == 0) throw UserError("class coverage: no samples");
  torch::Tensor counts = torch::bincount(predicted.to(torch::kCPU, torch::kLong).flatten(), {}, num_classes);
  ClassCoverage c;
  c.max_entropy_bits = std::log2(static_cast<double>(num_classes));
  const double n = static_cast<double>(predicted.numel());
  for (int64_t k = 0; k < num_classes; ++k) {
    const double share = counts[k].item<int64_t>() / n;
    c.shares.push_back(share);
    if (share > 0) c.entropy_bits -= share * std::log2(share);
    if (share < 0.01) c.rare_classes.push_back(k);
  }
  return c;
}

}  // namespace gencli::eval
