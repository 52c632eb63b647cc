#include "models/wavenet/packed_step_kernel.h"

#include <cstring>

#include "models/vector_math.h"

namespace gencli::wavenet {

// The clones let the loader pick AVX-512 or AVX2 code where the CPU has it, SSE2 elsewhere.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define GENCLI_WAVENET_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GENCLI_WAVENET_CLONES
#endif

namespace {

// `width` outputs at a time, summed over all inputs in registers: the one-row-at-a-time loop
// loaded and stored y for every input, and its sums waited on memory (2 cores, AVX-512:
// a 64 x 64 product 250 ns that way, 145 ns this way).
template <int64_t kWidth>
inline void add_output_block(const float* __restrict x, const float* __restrict w, int64_t in, int64_t out,
                             float* __restrict y) {
  float sums[kWidth];
  for (int64_t o = 0; o < kWidth; ++o) sums[o] = y[o];
  for (int64_t i = 0; i < in; ++i) {
    const float xi = x[i];
    const float* __restrict row = w + i * out;
    for (int64_t o = 0; o < kWidth; ++o) sums[o] += xi * row[o];
  }
  for (int64_t o = 0; o < kWidth; ++o) y[o] = sums[o];
}

}  // namespace

GENCLI_WAVENET_CLONES
void add_vector_times_matrix(const float* __restrict x, const float* __restrict w, int64_t in, int64_t out,
                             float* __restrict y) {
  int64_t o = 0;
  for (; o + 64 <= out; o += 64) add_output_block<64>(x, w + o, in, out, y + o);
  for (; o + 16 <= out; o += 16) add_output_block<16>(x, w + o, in, out, y + o);
  for (; o < out; ++o) add_output_block<1>(x, w + o, in, out, y + o);
}

GENCLI_WAVENET_CLONES
void gated_unit(const float* __restrict pre, int64_t channels, float* __restrict z) {
  // The sigmoid first, as in gated_activation_kernel.cpp (GCC's AVX2 code for the other order
  // met denormal assists).
  for (int64_t c = 0; c < channels; ++c) {
    const float s = vector_sigmoid(pre[channels + c]);
    const float t = vector_tanh(pre[c]);
    z[c] = t * s;
  }
}

GENCLI_WAVENET_CLONES
void add_in_place(const float* __restrict x, int64_t n, float* __restrict y) {
  for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

GENCLI_WAVENET_CLONES
void relu_into(const float* __restrict x, int64_t n, float* __restrict y) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

}  // namespace gencli::wavenet
