#include "models/gelu_kernel.h"

#include <cmath>

#include "models/vector_math.h"

namespace gencli {

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define GENCLI_GELU_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GENCLI_GELU_CLONES
#endif

namespace {

constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;  // 1 / sqrt(2 pi)
constexpr float kSqrt2OverPi = 0.79788456080286536f;
constexpr float kCubic = 0.044715f;

// erf(z) by Abramowitz and Stegun 7.1.26: 1 - (a1 t + ... + a5 t^5) e^(-z^2), t = 1 / (1 + p|z|),
// odd in z; absolute error under 1.5e-7 (float rounding adds about as much).
inline float vector_erf(float z) {
  const float a = std::fabs(z);
  const float t = 1.0f / (1.0f + 0.3275911f * a);
  float poly = 1.061405429f;
  poly = poly * t - 1.453152027f;
  poly = poly * t + 1.421413741f;
  poly = poly * t - 0.284496736f;
  poly = poly * t + 0.254829592f;
  const float e = 1.0f - poly * t * vector_exp(-a * a);
  return std::copysign(e, z);
}

}  // namespace

GENCLI_GELU_CLONES
void gelu_forward(const float* __restrict x, int64_t n, bool tanh_approximation, float* __restrict y) {
  if (tanh_approximation) {
    for (int64_t i = 0; i < n; ++i) {
      const float v = x[i];
      y[i] = 0.5f * v * (1.0f + vector_tanh(kSqrt2OverPi * (v + kCubic * v * v * v)));
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.0f + vector_erf(x[i] * kInvSqrt2));
}

GENCLI_GELU_CLONES
void gelu_backward(const float* __restrict x, const float* __restrict grad, int64_t n, bool tanh_approximation,
                   float* __restrict dx) {
  if (tanh_approximation) {
    for (int64_t i = 0; i < n; ++i) {
      const float v = x[i];
      const float th = vector_tanh(kSqrt2OverPi * (v + kCubic * v * v * v));
      const float inner = kSqrt2OverPi * (1.0f + 3.0f * kCubic * v * v);
      dx[i] = grad[i] * (0.5f * (1.0f + th) + 0.5f * v * (1.0f - th * th) * inner);
    }
    return;
  }
  // GELU'(x) = Phi(x) + x phi(x).
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    const float cdf = 0.5f * (1.0f + vector_erf(v * kInvSqrt2));
    const float pdf = kInvSqrt2Pi * vector_exp(-0.5f * v * v);
    dx[i] = grad[i] * (cdf + v * pdf);
  }
}

}  // namespace gencli
