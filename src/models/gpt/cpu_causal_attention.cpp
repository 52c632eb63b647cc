#include "models/gpt/cpu_causal_attention.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <vector>

#include "core/profiled_region.h"
#include "models/gpt/causal_attention_kernel.h"

namespace gencli::gpt {

namespace {

// One (batch, head) pair of (B, H, T, D) tensors whose last dimension is contiguous.
AttentionHead head_of(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int64_t b, int64_t h) {
  AttentionHead head;
  head.q = q.data_ptr<float>() + b * q.stride(0) + h * q.stride(1);
  head.k = k.data_ptr<float>() + b * k.stride(0) + h * k.stride(1);
  head.v = v.data_ptr<float>() + b * v.stride(0) + h * v.stride(1);
  head.q_stride = q.stride(2);
  head.k_stride = k.stride(2);
  head.v_stride = v.stride(2);
  head.tq = q.size(2);
  head.tk = k.size(2);
  head.d = q.size(3);
  head.scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(q.size(3))));
  return head;
}

class CpuCausalAttentionFunction : public torch::autograd::Function<CpuCausalAttentionFunction> {
 public:
  // Returns (B, Tq, H, D) contiguous; the caller transposes.
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v) {
    GENCLI_PROFILED_REGION("gencli::causal_attention");
    const int64_t batch = q.size(0), heads = q.size(1), tq = q.size(2), tk = k.size(2), d = q.size(3);
    torch::Tensor out = torch::empty({batch, tq, heads, d}, q.options());
    torch::Tensor lse = torch::empty({batch, heads, tq}, q.options());
    float* o = out.data_ptr<float>();
    float* m = lse.data_ptr<float>();
    at::parallel_for(0, batch * heads, 1, [&](int64_t begin, int64_t end) {
      std::vector<float> scratch(static_cast<size_t>(attention_forward_scratch(tk, d)));
      for (int64_t pair = begin; pair < end; ++pair) {
        const int64_t b = pair / heads, h = pair % heads;
        attention_head_forward(head_of(q, k, v, b, h), o + (b * tq * heads + h) * d, heads * d, m + pair * tq,
                               scratch.data());
      }
    });
    ctx->save_for_backward({q, k, v, out, lse});
    return out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const torch::autograd::variable_list saved = ctx->get_saved_variables();
    const torch::Tensor &q = saved[0], &k = saved[1], &v = saved[2], &out = saved[3], &lse = saved[4];
    const torch::Tensor dout = grads[0].contiguous();
    const int64_t batch = q.size(0), heads = q.size(1), tq = q.size(2), tk = k.size(2), d = q.size(3);
    // The gradients in (B, T, H, D) memory, returned as (B, H, T, D) views: the heads' split
    // from the packed projection takes them back without a copy.
    torch::Tensor dq = torch::empty({batch, tq, heads, d}, q.options());
    torch::Tensor dk = torch::empty({batch, tk, heads, d}, k.options());
    torch::Tensor dv = torch::empty({batch, tk, heads, d}, v.options());
    const float* o = out.data_ptr<float>();
    const float* g = dout.data_ptr<float>();
    const float* m = lse.data_ptr<float>();
    float *gq = dq.data_ptr<float>(), *gk = dk.data_ptr<float>(), *gv = dv.data_ptr<float>();
    const int64_t row = heads * d;
    at::parallel_for(0, batch * heads, 1, [&](int64_t begin, int64_t end) {
      std::vector<float> scratch(static_cast<size_t>(attention_backward_scratch(tk, d)));
      for (int64_t pair = begin; pair < end; ++pair) {
        const int64_t b = pair / heads, h = pair % heads;
        const int64_t at_q = (b * tq * heads + h) * d, at_k = (b * tk * heads + h) * d;
        attention_head_backward(head_of(q, k, v, b, h), o + at_q, row, g + at_q, row, m + pair * tq, gq + at_q, row,
                                gk + at_k, row, gv + at_k, row, scratch.data());
      }
    });
    return {dq.transpose(1, 2), dk.transpose(1, 2), dv.transpose(1, 2)};
  }
};

}  // namespace

bool cpu_causal_attention_applies(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  for (const torch::Tensor* t : {&q, &k, &v})
    if (!t->device().is_cpu() || t->scalar_type() != torch::kFloat || t->dim() != 4 || t->stride(3) != 1 ||
        t->size(3) > kMaxHeadWidth)
      return false;
  return k.sizes() == v.sizes() && q.size(0) == k.size(0) && q.size(1) == k.size(1) && q.size(3) == k.size(3) &&
         q.size(2) <= k.size(2) && q.size(2) > 0;
}

torch::Tensor cpu_causal_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  TORCH_CHECK(cpu_causal_attention_applies(q, k, v), "cpu_causal_attention: float32 CPU (B, H, T, D) tensors with ",
              "Tq <= Tk and a contiguous last dimension, got q ", q.sizes(), " k ", k.sizes(), " v ", v.sizes());
  return CpuCausalAttentionFunction::apply(q, k, v).transpose(1, 2);
}

}  // namespace gencli::gpt
