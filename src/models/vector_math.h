#pragma once
// Elementwise functions written so a loop of them vectorises (libm's expf does not without
// -ffast-math), for the kernels compiled without LibTorch (WaveNet's packed step, the gated
// activation). Free of LibTorch.
#include <cstdint>
#include <cstring>

namespace gencli {

// exp(x) for float: x = n ln2 + r with |r| <= ln2 / 2, exp(r) by its Taylor polynomial to r^7
// (truncation below 1e-8 relative), 2^n put straight into the exponent bits. Inputs are clamped
// to [-87, 87], where the result stays a normal float; tanh and sigmoid saturate long before.
// Never compile it with -fassociative-math: that folds the rounding shift below away.
inline float vector_exp(float x) {
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

// tanh(a) = 1 - 2 / (1 + e^2a): finite at the clamp, within ~1e-7 of libm's absolutely.
inline float vector_tanh(float a) { return 1.0f - 2.0f / (1.0f + vector_exp(2.0f * a)); }

inline float vector_sigmoid(float b) { return 1.0f / (1.0f + vector_exp(-b)); }

}  // namespace gencli
