#include "models/gated_activation.h"

#include <ATen/Parallel.h>

#include "models/gated_activation_kernel.h"

namespace gencli {

namespace {

// x viewed as (outer, 2, half): each of the `outer` leading blocks holds its tanh half, then
// its sigmoid half, of `half` elements each.
struct GateLayout {
  int64_t outer = 0, half = 0;
};

GateLayout gate_layout(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() >= 2 && x.size(1) % 2 == 0, "gated_activation: dimension 1 must be even, got ", x.sizes());
  GateLayout l;
  l.outer = x.size(0);
  l.half = x.numel() / std::max<int64_t>(1, l.outer) / 2;
  return l;
}

// Calls f(block, first, count) over the elements of every block, split across LibTorch's pool.
template <class F>
void for_each_span(const GateLayout& l, F f) {
  at::parallel_for(0, l.outer * l.half, 16384, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end;) {
      const int64_t block = i / l.half, first = i % l.half;
      const int64_t count = std::min(end - i, l.half - first);
      f(block, first, count);
      i += count;
    }
  });
}

class GatedActivationFunction : public torch::autograd::Function<GatedActivationFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input) {
    torch::Tensor x = input.contiguous();
    ctx->save_for_backward({x});
    const GateLayout l = gate_layout(x);
    std::vector<int64_t> shape = x.sizes().vec();
    shape[1] /= 2;
    torch::Tensor out = torch::empty(shape, x.options());
    const float* in = x.data_ptr<float>();
    float* o = out.data_ptr<float>();
    for_each_span(l, [&](int64_t block, int64_t first, int64_t count) {
      const float* a = in + block * 2 * l.half + first;
      gated_activation_forward(a, a + l.half, count, o + block * l.half + first);
    });
    return out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const torch::Tensor x = ctx->get_saved_variables()[0];
    const torch::Tensor grad = grads[0].contiguous();
    const GateLayout l = gate_layout(x);
    torch::Tensor dx = torch::empty_like(x);
    const float* in = x.data_ptr<float>();
    const float* g = grad.data_ptr<float>();
    float* d = dx.data_ptr<float>();
    for_each_span(l, [&](int64_t block, int64_t first, int64_t count) {
      const int64_t at = block * 2 * l.half + first;
      gated_activation_backward(in + at, in + at + l.half, g + block * l.half + first, count, d + at,
                                d + at + l.half);
    });
    return {dx};
  }
};

}  // namespace

torch::Tensor gated_activation_reference(const torch::Tensor& x) {
  auto halves = x.chunk(2, 1);
  return torch::tanh(halves[0]) * torch::sigmoid(halves[1]);
}

torch::Tensor gated_activation(const torch::Tensor& x) {
  if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat || x.numel() == 0) return gated_activation_reference(x);
  return GatedActivationFunction::apply(x);
}

}  // namespace gencli
