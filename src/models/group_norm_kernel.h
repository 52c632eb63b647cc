#pragma once
// The arithmetic of GroupNorm, optionally followed by SiLU, on one sample stored channels-last
// (pixel-major rows of C channels), forward and backward, kept free of LibTorch so the loops
// over channels vectorise. Statistics are per group of C / G neighbouring channels over all
// pixels; the caller runs samples in parallel.
#include <cstdint>

namespace gencli {

struct GroupNormShape {
  int64_t pixels = 0, channels = 0, groups = 0;
};

// y = norm(x) * gamma + beta, then y * sigmoid(y) if silu. Writes the group's mean and
// 1 / sqrt(variance + eps) to mean[g] and rstd[g] (the biased variance, as GroupNorm's).
void group_norm_forward_channels_last(const float* x, const float* gamma, const float* beta, GroupNormShape shape,
                                      float eps, bool silu, float* y, float* mean, float* rstd);

// dx from dy, with the statistics the forward pass wrote; this sample's share of the
// parameters' gradients goes to dgamma and dbeta (C each, overwritten).
void group_norm_backward_channels_last(const float* x, const float* dy, const float* gamma, const float* beta,
                                       const float* mean, const float* rstd, GroupNormShape shape, bool silu,
                                       float* dx, float* dgamma, float* dbeta);

}  // namespace gencli
