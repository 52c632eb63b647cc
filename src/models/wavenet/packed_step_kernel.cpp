#include "models/wavenet/packed_step_kernel.h"

#include <cstring>

namespace gencli::wavenet {

// The clones let the loader pick AVX-512 or AVX2 code where the CPU has it, SSE2 elsewhere.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define GENCLI_WAVENET_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GENCLI_WAVENET_CLONES
#endif

namespace {

// exp(x) for float, written so a loop of it vectorises (libm's expf does not without
// -ffast-math): x = n ln2 + r with |r| <= ln2 / 2, exp(r) by its Taylor polynomial to r^7
// (truncation below 1e-8 relative), 2^n put straight into the exponent bits. Inputs are clamped
// to [-87, 87], where the result stays a normal float; the gate saturates long before that.
inline float packed_exp(float x) {
  x = x < -87.0f ? -87.0f : (x > 87.0f ? 87.0f : x);
  // Adding 1.5 * 2^23 rounds to the nearest integer and leaves it in the low mantissa bits.
  constexpr float round_shift = 12582912.0f;
  const float shifted = x * 1.44269504f + round_shift;
  const float n = shifted - round_shift;
  int32_t shifted_bits;
  std::memcpy(&shifted_bits, &shifted, sizeof shifted_bits);
  const int32_t n_int = shifted_bits - 0x4B400000;  // the bits of round_shift
  // ln 2 split in two so n * ln2_high is exact.
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t scale_bits = (n_int + 127) << 23;
  float scale;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  return p * scale;
}

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
  for (int64_t c = 0; c < channels; ++c) {
    // tanh(a) = 1 - 2 / (1 + e^2a), sigmoid(b) = 1 / (1 + e^-b): both finite at the clamp.
    const float tanh_a = 1.0f - 2.0f / (1.0f + packed_exp(2.0f * pre[c]));
    const float sigmoid_b = 1.0f / (1.0f + packed_exp(-pre[channels + c]));
    z[c] = tanh_a * sigmoid_b;
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
