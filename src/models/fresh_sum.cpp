#include "models/fresh_sum.h"

namespace gencli {

torch::Tensor add_into_fresh(torch::Tensor fresh, const torch::Tensor& other) {
  if (fresh.scalar_type() != other.scalar_type()) return fresh + other;
  return fresh.add_(other);
}

}  // namespace gencli
