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

}  // namespace gencli
