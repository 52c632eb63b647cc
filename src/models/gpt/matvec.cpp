#include "models/gpt/matvec.h"

namespace gencli::gpt {

torch::Tensor matvec(const torch::Tensor& weight, const torch::Tensor& x, const torch::Tensor& bias) {
  return bias.defined() ? torch::addmv(bias, weight, x) : torch::mv(weight, x);
}

}  // namespace gencli::gpt
