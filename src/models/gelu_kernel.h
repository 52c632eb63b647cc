#pragma once
// The arithmetic of GELU, exact (x Phi(x), by erf) and tanh-approximated (GPT-2's), forward and
// backward over contiguous floats, kept free of LibTorch so the loops vectorise.
#include <cstdint>

namespace gencli {

void gelu_forward(const float* x, int64_t n, bool tanh_approximation, float* y);
// dx = grad * GELU'(x).
void gelu_backward(const float* x, const float* grad, int64_t n, bool tanh_approximation, float* dx);

}  // namespace gencli
