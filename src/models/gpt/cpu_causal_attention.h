#pragma once
// Causal attention as one autograd function on float32 CPU tensors, for LibTorch builds without
// a fused kernel (1.13). The naive path runs two batched matrix products of tiny per-head
// matrices, a division, a mask and a softmax, each a pass of its own over the (Tq x Tk) scores,
// and keeps them for backward; this one runs each (batch, head) pair's rows in one pass and
// keeps only the output and each query's log-sum-exp, recomputing the probabilities in backward.
// It computes the same function as the naive path, to float rounding.
#include "core/torch_api.h"

namespace gencli::gpt {

// Whether the function below takes these tensors: float32 on the CPU, heads at most 128 wide
// with their dimension contiguous, and Tq <= Tk.
bool cpu_causal_attention_applies(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

// q (B, H, Tq, D), k and v (B, H, Tk, D) -> (B, H, Tq, D), a view of a (B, Tq, H, D) tensor so
// the heads merge back into (B, Tq, H * D) without a copy.
torch::Tensor cpu_causal_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

}  // namespace gencli::gpt
