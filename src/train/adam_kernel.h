#pragma once
// The arithmetic of one Adam step over a float array, kept free of LibTorch so it can be
// compiled with the flags that let it vectorise (see src/train/adam_kernel.cpp).
#include <cstdint>

namespace gencli {

void adam_update_float(float* __restrict p, const float* __restrict g, float* __restrict m,
                       float* __restrict v, int64_t n, float b1, float b2, float eps, float weight_decay,
                       float shrink, float step_size, float inv_sqrt_bc2);

}  // namespace gencli
