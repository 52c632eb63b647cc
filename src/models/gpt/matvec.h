#pragma once
// y = W x (+ b) for the one position of cached generation, as a BLAS matrix-vector product
// (gemv). As a 1-row matrix product it computes the same, but OpenBLAS 0.3.21 (Debian's)
// packs the whole of W for every such call: for a 124M GPT-2 on 2 cores, 20 tokens/s as gemm
// and 43 as gemv (scripts/bench_gpt2.sh).
#include "core/torch_api.h"

namespace gencli::gpt {

// weight (out, in), x (in), bias (out) or undefined -> (out).
torch::Tensor matvec(const torch::Tensor& weight, const torch::Tensor& x, const torch::Tensor& bias = {});

}  // namespace gencli::gpt
