#pragma once
// GELU as one autograd function. On float32 CPU tensors it runs one vectorised pass forward and
// one backward (LibTorch 1.13's erf GELU took about 1 ns an element on one thread, its tanh form
// about 5, and a GPT's MLP runs one on 4 n_embd values per token); elsewhere it is LibTorch's
// gelu. Both give the same values to within 1e-6 of the input's scale.
#include <string>

#include "core/torch_api.h"

namespace gencli {

// approximation: "none" (x Phi(x)) or "tanh" (GPT-2's), as LibTorch's gelu takes it.
torch::Tensor gelu(const torch::Tensor& x, const std::string& approximation);

// LibTorch's gelu (other devices and dtypes, and tests).
torch::Tensor gelu_reference(const torch::Tensor& x, const std::string& approximation);

}  // namespace gencli
