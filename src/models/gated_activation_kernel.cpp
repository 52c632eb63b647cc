#include "models/gated_activation_kernel.h"

#include "models/vector_math.h"

namespace gencli {

// The clones let the loader pick AVX-512 or AVX2 code where the CPU has it, SSE2 elsewhere.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define GENCLI_GATE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GENCLI_GATE_CLONES
#endif

GENCLI_GATE_CLONES
void gated_activation_forward(const float* __restrict a, const float* __restrict b, int64_t n, float bias_a,
                              float bias_b, float* __restrict out) {
  // The sigmoid first: with the tanh first, GCC's AVX2 code for this loop met denormal assists
  // (10 ms for 2^20 values, against 1.3 ms in this order; AVX-512 the same either way).
  for (int64_t i = 0; i < n; ++i) {
    const float s = vector_sigmoid(b[i] + bias_b);
    const float t = vector_tanh(a[i] + bias_a);
    out[i] = t * s;
  }
}

GENCLI_GATE_CLONES
void gated_activation_backward(const float* __restrict a, const float* __restrict b, const float* __restrict grad,
                               int64_t n, float bias_a, float bias_b, float* __restrict da, float* __restrict db) {
  for (int64_t i = 0; i < n; ++i) {
    const float t = vector_tanh(a[i] + bias_a), s = vector_sigmoid(b[i] + bias_b);
    const float gs = grad[i] * s;
    da[i] = gs * (1.0f - t * t);
    db[i] = gs * t * (1.0f - s);
  }
}

GENCLI_GATE_CLONES
void gated_activation_forward_rows(const float* __restrict x, int64_t rows, int64_t channels,
                                   const float* __restrict bias, float* __restrict out) {
  const float* __restrict bias_b = bias + channels;
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict a = x + r * 2 * channels;
    const float* __restrict b = a + channels;
    float* __restrict o = out + r * channels;
    for (int64_t c = 0; c < channels; ++c) {
      const float s = vector_sigmoid(b[c] + bias_b[c]);  // first, as above
      const float t = vector_tanh(a[c] + bias[c]);
      o[c] = t * s;
    }
  }
}

GENCLI_GATE_CLONES
void gated_activation_backward_rows(const float* __restrict x, const float* __restrict grad, int64_t rows,
                                    int64_t channels, const float* __restrict bias, float* __restrict dx) {
  const float* __restrict bias_b = bias + channels;
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict a = x + r * 2 * channels;
    const float* __restrict b = a + channels;
    const float* __restrict g = grad + r * channels;
    float* __restrict da = dx + r * 2 * channels;
    float* __restrict db = da + channels;
    for (int64_t c = 0; c < channels; ++c) {
      const float t = vector_tanh(a[c] + bias[c]), s = vector_sigmoid(b[c] + bias_b[c]);
      const float gs = g[c] * s;
      da[c] = gs * (1.0f - t * t);
      db[c] = gs * t * (1.0f - s);
    }
  }
}

}  // namespace gencli
