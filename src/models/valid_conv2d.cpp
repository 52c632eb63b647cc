#include "models/valid_conv2d.h"

#include <ATen/Parallel.h>

#include <algorithm>

#include "core/profiled_region.h"
#include "core/torch_compat.h"
#include "models/channels_last.h"
#include "models/conv_weight_gradient_kernel.h"

namespace gencli {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

const std::vector<int64_t> kUnitStride{1, 1}, kNoPadding{0, 0};

// Output pixels a thread takes at least, in whole rows (sample, row).
constexpr int64_t kPixelsPerTask = 2048;

ConvWeightGradShape shape_of(const torch::Tensor& x, const torch::Tensor& weight, torch::IntArrayRef dilation) {
  ConvWeightGradShape s;
  s.in_h = x.size(2);
  s.in_w = x.size(3);
  s.in_c = x.size(1);
  s.kernel_h = weight.size(2);
  s.kernel_w = weight.size(3);
  s.dilation_h = dilation[0];
  s.dilation_w = dilation[1];
  s.out_h = s.in_h - (s.kernel_h - 1) * s.dilation_h;
  s.out_w = s.in_w - (s.kernel_w - 1) * s.dilation_w;
  s.out_c = weight.size(0);
  return s;
}

// dw (O, I, kH, kW) of the convolution of x with output gradient dy, both channels-last.
torch::Tensor weight_gradient(const torch::Tensor& x, const torch::Tensor& dy, const ConvWeightGradShape& s) {
  GENCLI_PROFILED_REGION("gencli::conv_weight_gradient");
  TORCH_CHECK(conv_weight_gradient_kernel_takes(s), "conv weight gradient: the kernel does not take this shape");
  const int64_t rows = x.size(0) * s.out_h, size = s.kernel_h * s.kernel_w * s.out_c * s.in_c;
  // One set of sums per thread, added up afterwards, so no two threads write the same sums.
  torch::Tensor partial = torch::zeros({at::get_num_threads(), size}, x.options());
  const float *in = x.data_ptr<float>(), *grad = dy.data_ptr<float>();
  float* sums = partial.data_ptr<float>();
  at::parallel_for(0, rows, std::max<int64_t>(1, kPixelsPerTask / s.out_w), [&](int64_t begin, int64_t end) {
    conv_weight_gradient_rows(in, grad, s, begin, end, sums + at::get_thread_num() * size);
  });
  return partial.sum(0).view({s.kernel_h, s.kernel_w, s.out_c, s.in_c}).permute({2, 3, 0, 1}).contiguous();
}

struct ValidConv2dFunction : torch::autograd::Function<ValidConv2dFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& bias, std::vector<int64_t> dilation) {
    ctx->save_for_backward({x, weight});
    ctx->saved_data["dilation"] = dilation;
    return at::convolution(x, weight, bias, kUnitStride, kNoPadding, dilation, false, kNoPadding, 1);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &weight = saved[1];
    const std::vector<int64_t> dilation = ctx->saved_data["dilation"].toIntVector();
    const torch::Tensor dy = to_channels_last(grads[0]);
    torch::Tensor grad_x, grad_weight, grad_bias;
    if (ctx->needs_input_grad(0))
      grad_x = std::get<0>(at::convolution_backward(dy, x, weight, c10::nullopt, kUnitStride, kNoPadding, dilation,
                                                    false, kNoPadding, 1, {true, false, false}));
    // A gradient that is itself differentiated (create_graph) takes LibTorch's, which records a graph.
    if (ctx->needs_input_grad(1))
      grad_weight = torch::GradMode::is_enabled()
                        ? std::get<1>(at::convolution_backward(dy, x, weight, c10::nullopt, kUnitStride, kNoPadding,
                                                               dilation, false, kNoPadding, 1, {false, true, false}))
                        : weight_gradient(x, dy, shape_of(x, weight, dilation));
    if (ctx->needs_input_grad(2)) grad_bias = dy.sum({0, 2, 3});
    return {grad_x, grad_weight, grad_bias, torch::Tensor()};
  }
};

}  // namespace

bool valid_conv2d_uses_gencli_weight_gradient(const torch::Tensor& x, const torch::Tensor& weight,
                                              const torch::Tensor& bias, torch::IntArrayRef dilation) {
  if (x.dim() != 4 || weight.dim() != 4 || dilation.size() != 2 || !x.device().is_cpu() ||
      x.scalar_type() != torch::kFloat || weight.scalar_type() != torch::kFloat || !weight.device().is_cpu() ||
      weight.size(1) != x.size(1) || !is_channels_last_map(x) || !weight.requires_grad() || !bias.defined() ||
      !torch::GradMode::is_enabled() || torch_compat::autocast_state(c10::kCPU).enabled)
    return false;
  const ConvWeightGradShape s = shape_of(x, weight, dilation);
  return s.out_h > 0 && s.out_w > 0 && conv_weight_gradient_kernel_takes(s);
}

torch::Tensor valid_conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                           torch::IntArrayRef dilation) {
  if (!valid_conv2d_uses_gencli_weight_gradient(x, weight, bias, dilation))
    return torch::conv2d(x, weight, bias, kUnitStride, kNoPadding, dilation);
  return ValidConv2dFunction::apply(to_channels_last(x), weight, bias, dilation.vec());
}

torch::Tensor valid_conv2d(const torch::Tensor& x, torch::nn::Conv2dImpl& conv) {
  const auto& o = conv.options;
  const std::optional<std::vector<int64_t>> padding = torch_compat::explicit_padding(o);
  const bool plain = padding && *padding == std::vector<int64_t>{0, 0} && *o.stride() == *torch::ExpandingArray<2>(1) &&
                     o.groups() == 1;
  if (!plain) return conv.forward(x);
  return valid_conv2d(x, conv.weight, conv.bias, *o.dilation());
}

}  // namespace gencli
