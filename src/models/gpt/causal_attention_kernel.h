#pragma once
// The arithmetic of causal scaled dot-product attention for one (batch, head) pair, kept free of
// LibTorch so its loops vectorise. Forward keeps only each query's log-sum-exp beside the output;
// backward recomputes the probabilities from it (as FlashAttention does) instead of keeping the
// (Tq x Tk) matrix between the passes. Rows are D contiguous floats; each matrix has its own
// stride between positions, so q, k and v can be read in place from a packed (T, 3, H, D) buffer.
// Queries run in small tiles, each with its own order of additions: for finite inputs a query's
// output and dq are the same values whether it comes with others or alone.
#include <cstdint>

namespace gencli::gpt {

// The widest head the kernels take (GPT-2's heads are 64 wide).
constexpr int64_t kMaxHeadWidth = 128;

struct AttentionHead {
  const float* q = nullptr;  // (tq, d), row i at q + i * q_stride
  const float* k = nullptr;  // (tk, d)
  const float* v = nullptr;  // (tk, d)
  int64_t q_stride = 0, k_stride = 0, v_stride = 0;
  int64_t tq = 0, tk = 0, d = 0;  // tq <= tk: query i is position tk - tq + i and sees keys 0 .. tk - tq + i
  float scale = 1.0f;             // usually 1 / sqrt(d)
};

// Floats of scratch each call needs.
int64_t attention_forward_scratch(int64_t tk, int64_t d);
int64_t attention_backward_scratch(int64_t tk, int64_t d);

// out row i (stride out_stride) = softmax_j(scale q_i . k_j) v_j over the visible keys; lse[i] =
// the log-sum-exp of that row's scaled scores.
void attention_head_forward(const AttentionHead& h, float* out, int64_t out_stride, float* lse, float* scratch);

// The gradients of the forward's output: dout is the upstream gradient (stride dout_stride), out
// and lse what the forward returned. dq, dk and dv are overwritten.
void attention_head_backward(const AttentionHead& h, const float* out, int64_t out_stride, const float* dout,
                             int64_t dout_stride, const float* lse, float* dq, int64_t dq_stride, float* dk,
                             int64_t dk_stride, float* dv, int64_t dv_stride, float* scratch);

}  // namespace gencli::gpt
