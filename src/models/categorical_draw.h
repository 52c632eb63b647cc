#pragma once
// One draw from categorical distributions given by logits, shared by the autoregressive
// families. Each row consumes exactly one U[0, 1) number from the generator, so two code paths
// that compute the same logits (cached and recomputed WaveNet generation) draw the same values.
#include "core/torch_api.h"

namespace gencli {

// logits: (N, K). Returns (N) int64 indices drawn from softmax(logits / temperature) by
// inverse-CDF sampling with N uniforms from `generator` (CPU). temperature must be > 0.
torch::Tensor draw_categorical(const torch::Tensor& logits, double temperature, const torch::Generator& generator);

// logits: any shape. Returns 0/1 floats of that shape: 1 with probability sigmoid(logits / temperature).
torch::Tensor draw_bernoulli(const torch::Tensor& logits, double temperature, const torch::Generator& generator);

// logits (N, K) with all but the top_k largest of each row set to -inf (top_k 0: all kept), then
// all but the smallest set of most likely tokens whose probability reaches top_p (nucleus
// sampling, Holtzman et al. 2020; top_p 1: all kept). The most likely token always survives.
torch::Tensor filter_logits(const torch::Tensor& logits, int64_t top_k, double top_p);

}  // namespace gencli
