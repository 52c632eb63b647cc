#include "models/gelu.h"

#include <ATen/Parallel.h>

#include "core/profiled_region.h"
#include "models/gelu_kernel.h"

namespace gencli {

namespace {

constexpr int64_t kGrain = 32768;

class GeluFunction : public torch::autograd::Function<GeluFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input, bool tanh) {
    GENCLI_PROFILED_REGION("gencli::gelu");
    const torch::Tensor x = input.contiguous();
    ctx->save_for_backward({x});
    ctx->saved_data["tanh"] = tanh;
    torch::Tensor y = torch::empty_like(x);
    const float* in = x.data_ptr<float>();
    float* out = y.data_ptr<float>();
    at::parallel_for(0, x.numel(), kGrain,
                     [&](int64_t begin, int64_t end) { gelu_forward(in + begin, end - begin, tanh, out + begin); });
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const torch::Tensor x = ctx->get_saved_variables()[0];
    const torch::Tensor grad = grads[0].contiguous();
    const bool tanh = ctx->saved_data["tanh"].toBool();
    torch::Tensor dx = torch::empty_like(x);
    const float* in = x.data_ptr<float>();
    const float* g = grad.data_ptr<float>();
    float* out = dx.data_ptr<float>();
    at::parallel_for(0, x.numel(), kGrain, [&](int64_t begin, int64_t end) {
      gelu_backward(in + begin, g + begin, end - begin, tanh, out + begin);
    });
    return {dx, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor gelu_reference(const torch::Tensor& x, const std::string& approximation) {
  return torch::gelu(x, approximation);
}

torch::Tensor gelu(const torch::Tensor& x, const std::string& approximation) {
  TORCH_CHECK(approximation == "none" || approximation == "tanh", "gelu: approximation \"", approximation,
              "\" (none or tanh)");
  if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat || x.numel() == 0) return gelu_reference(x, approximation);
  return GeluFunction::apply(x, approximation == "tanh");
}

}  // namespace gencli
