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

}  // namespace gencli
