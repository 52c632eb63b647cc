#pragma once
// The arithmetic of one packed WaveNet step over float arrays, kept free of LibTorch so CMake can
// compile it with the flags that let its loops vectorise (see packed_step_kernel.cpp).
#include <cstdint>

namespace gencli::wavenet {

// y (out) += x (in) times w (in, out), row-major: a row vector times a matrix.
void add_vector_times_matrix(const float* __restrict x, const float* __restrict w, int64_t in, int64_t out,
                             float* __restrict y);

// z (channels) = tanh(pre[0, channels)) * sigmoid(pre[channels, 2 channels)): the gated unit.
void gated_unit(const float* __restrict pre, int64_t channels, float* __restrict z);

// y (n) += x (n).
void add_in_place(const float* __restrict x, int64_t n, float* __restrict y);

// y (n) = max(x, 0).
void relu_into(const float* __restrict x, int64_t n, float* __restrict y);

}  // namespace gencli::wavenet
