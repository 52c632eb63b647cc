#pragma once
// The arithmetic of cross-entropy over the classes of (K, L) logits stored class-major (class
// k's L positions contiguous, as a 1-D convolution's output is), kept free of LibTorch so its
// loops run along the positions and vectorise.
#include <cstdint>

namespace gencli {

// lse[l] = log sum_k exp(logits[k * L + l]) for l < L.
void channel_log_sum_exp(const float* logits, int64_t classes, int64_t length, float* lse);

// dlogits[k * L + l] = grad[l] * (exp(logits[k * L + l] - lse[l]) - (k == target[l])).
void channel_cross_entropy_backward(const float* logits, const float* lse, const int64_t* target, const float* grad,
                                    int64_t classes, int64_t length, float* dlogits);

// The same for logits stored position-major (each position's K class logits contiguous, as
// a channels-last convolution's output is): lse[r] = log sum_k exp(logits[r * K + k]) for r < rows,
// and dlogits[r * K + k] = grad[r] * (exp(logits[r * K + k] - lse[r]) - (k == target[r])).
void row_log_sum_exp(const float* logits, int64_t rows, int64_t classes, float* lse);
void row_cross_entropy_backward(const float* logits, const float* lse, const int64_t* target, const float* grad,
                                int64_t rows, int64_t classes, float* dlogits);

}  // namespace gencli
