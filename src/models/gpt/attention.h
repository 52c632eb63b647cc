#pragma once
// Causal scaled dot-product attention three ways, which compute the same function:
//   naive:   the whole (Tq x Tk) score matrix, masked, softmaxed, times V;
//   chunked: queries and keys in blocks with a running max and sum (the online softmax of
//            FlashAttention, Dao et al. 2022), so no more than a (chunk x chunk) block of scores
//            exists at a time in the forward pass (autograd still keeps each block for backward);
//   sdpa:    LibTorch's fused at::scaled_dot_product_attention (LibTorch >= 2.0); on older
//            LibTorch gencli's own fused CPU kernel (cpu_causal_attention.h) for float32 CPU
//            tensors, and elsewhere naive, saying so once.
// Shapes: q (B, H, Tq, D), k and v (B, H, Tk, D) with Tq <= Tk: the queries are the last Tq
// positions, so query i may see keys 0 .. Tk - Tq + i (a cache of Tk - Tq earlier positions).
#include <string>

#include "core/torch_api.h"

namespace gencli::gpt {

torch::Tensor naive_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);
torch::Tensor chunked_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int64_t chunk);
torch::Tensor sdpa_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

// Whether this LibTorch has the fused kernel (else "sdpa" runs gencli's CPU kernel or naive).
bool has_fused_attention();

// The configured mode by name ("naive", "chunked", "sdpa").
torch::Tensor causal_attention(const std::string& mode, const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v, int64_t chunk);

}  // namespace gencli::gpt
