#pragma once
// The arithmetic of the gated activation tanh(a) * sigmoid(b) over float arrays, forward and
// backward, kept free of LibTorch so its loops vectorise (see src/models/vector_math.h).
#include <cstdint>

namespace gencli {

// out[i] = tanh(a[i] + bias_a) * sigmoid(b[i] + bias_b) for i < n.
void gated_activation_forward(const float* a, const float* b, int64_t n, float bias_a, float bias_b, float* out);

// With t = tanh(a[i] + bias_a), s = sigmoid(b[i] + bias_b) and g = grad[i]:
// da[i] = g s (1 - t^2) and db[i] = g t s (1 - s), for i < n.
void gated_activation_backward(const float* a, const float* b, const float* grad, int64_t n, float bias_a,
                               float bias_b, float* da, float* db);

// The same over channels-last rows: row r of x holds one pixel's 2C values (the tanh half,
// then the sigmoid half), row r of out its C gated values; bias holds 2C values added to
// every row (the same halves).
void gated_activation_forward_rows(const float* x, int64_t rows, int64_t channels, const float* bias, float* out);
void gated_activation_backward_rows(const float* x, const float* grad, int64_t rows, int64_t channels,
                                    const float* bias, float* dx);

}  // namespace gencli
