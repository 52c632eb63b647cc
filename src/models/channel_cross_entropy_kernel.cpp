#include "models/channel_cross_entropy_kernel.h"

#include <cmath>
#include <limits>
#include <vector>

#include "models/vector_math.h"

namespace gencli {

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define GENCLI_CE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GENCLI_CE_CLONES
#endif

GENCLI_CE_CLONES
void channel_log_sum_exp(const float* __restrict logits, int64_t classes, int64_t length, float* __restrict lse) {
  std::vector<float> sum(static_cast<size_t>(length), 0.0f);
  float* __restrict s = sum.data();
  for (int64_t l = 0; l < length; ++l) lse[l] = -std::numeric_limits<float>::infinity();
  for (int64_t k = 0; k < classes; ++k) {
    const float* __restrict row = logits + k * length;
    for (int64_t l = 0; l < length; ++l) lse[l] = row[l] > lse[l] ? row[l] : lse[l];  // the maxima first
  }
  for (int64_t k = 0; k < classes; ++k) {
    const float* __restrict row = logits + k * length;
    for (int64_t l = 0; l < length; ++l) s[l] += vector_exp(row[l] - lse[l]);
  }
  for (int64_t l = 0; l < length; ++l) lse[l] += std::log(s[l]);
}

GENCLI_CE_CLONES
void channel_cross_entropy_backward(const float* __restrict logits, const float* __restrict lse,
                                    const int64_t* __restrict target, const float* __restrict grad, int64_t classes,
                                    int64_t length, float* __restrict dlogits) {
  for (int64_t k = 0; k < classes; ++k) {
    const float* __restrict row = logits + k * length;
    float* __restrict out = dlogits + k * length;
    for (int64_t l = 0; l < length; ++l) out[l] = grad[l] * vector_exp(row[l] - lse[l]);
  }
  for (int64_t l = 0; l < length; ++l) dlogits[target[l] * length + l] -= grad[l];
}

namespace {

// Lane-wise partial maxima and sums over a row, reduced at the end: a loop reducing into one
// float does not vectorise without reassociation, which vector_exp may not be compiled with.
constexpr int64_t kLanes = 16;

}  // namespace

GENCLI_CE_CLONES
void row_log_sum_exp(const float* __restrict logits, int64_t rows, int64_t classes, float* __restrict lse) {
  const int64_t blocked = classes / kLanes * kLanes;
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict x = logits + r * classes;
    float lane[kLanes];
    for (int64_t j = 0; j < kLanes; ++j) lane[j] = -std::numeric_limits<float>::infinity();
    for (int64_t k = 0; k < blocked; k += kLanes)
      for (int64_t j = 0; j < kLanes; ++j) lane[j] = x[k + j] > lane[j] ? x[k + j] : lane[j];
    float top = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < kLanes; ++j) top = lane[j] > top ? lane[j] : top;
    for (int64_t k = blocked; k < classes; ++k) top = x[k] > top ? x[k] : top;
    for (int64_t j = 0; j < kLanes; ++j) lane[j] = 0.0f;
    for (int64_t k = 0; k < blocked; k += kLanes)
      for (int64_t j = 0; j < kLanes; ++j) lane[j] += vector_exp(x[k + j] - top);
    float sum = 0.0f;
    for (int64_t j = 0; j < kLanes; ++j) sum += lane[j];
    for (int64_t k = blocked; k < classes; ++k) sum += vector_exp(x[k] - top);
    lse[r] = top + std::log(sum);
  }
}

GENCLI_CE_CLONES
void row_cross_entropy_backward(const float* __restrict logits, const float* __restrict lse,
                                const int64_t* __restrict target, const float* __restrict grad, int64_t rows,
                                int64_t classes, float* __restrict dlogits) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* __restrict x = logits + r * classes;
    float* __restrict d = dlogits + r * classes;
    const float g = grad[r], m = lse[r];
    for (int64_t k = 0; k < classes; ++k) d[k] = g * vector_exp(x[k] - m);
    d[target[r]] -= g;
  }
}

}  // namespace gencli
