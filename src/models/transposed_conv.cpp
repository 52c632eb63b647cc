#include "models/transposed_conv.h"

#include <ATen/Context.h>

#include "core/profiled_region.h"
#include "core/torch_compat.h"

namespace gencli {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The convolution whose input gradient is the transposed convolution: it maps the transposed
// convolution's output shape (B, O, ...) back to its input shape (B, I, ...) with the same weight.
std::vector<int64_t> transposed_output_size(const torch::Tensor& x, const torch::Tensor& weight,
                                            torch::IntArrayRef stride, torch::IntArrayRef padding) {
  std::vector<int64_t> size{x.size(0), weight.size(1)};
  for (int d = 0; d < 2; ++d) size.push_back((x.size(2 + d) - 1) * stride[d] - 2 * padding[d] + weight.size(2 + d));
  return size;
}

const std::vector<int64_t> kNoDilation{1, 1}, kNoOutputPadding{0, 0};

struct TransposedConvAsInputGradient : torch::autograd::Function<TransposedConvAsInputGradient> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight,
                               const torch::Tensor& bias, std::vector<int64_t> stride, std::vector<int64_t> padding) {
    GENCLI_PROFILED_REGION("gencli::transposed_conv");
    // Only the shape of the convolution's input is read; its values never are.
    // Its layout is the output's: oneDNN keeps a channels-last input channels-last.
    const torch::Tensor shape_only = torch::empty(transposed_output_size(x, weight, stride, padding),
                                                  x.options().memory_format(x.suggest_memory_format()));
    torch::Tensor y = std::get<0>(at::convolution_backward(x, shape_only, weight, c10::nullopt, stride, padding,
                                                           kNoDilation, false, kNoOutputPadding, 1,
                                                           {true, false, false}));
    if (bias.defined()) y.add_(bias.view({1, -1, 1, 1}));
    ctx->save_for_backward({x, weight});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    ctx->saved_data["has_bias"] = bias.defined();
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const torch::Tensor& g = grads[0];
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &weight = saved[1];
    const std::vector<int64_t> stride = ctx->saved_data["stride"].toIntVector();
    const std::vector<int64_t> padding = ctx->saved_data["padding"].toIntVector();
    torch::Tensor grad_x, grad_weight, grad_bias;
    if (ctx->needs_input_grad(0))
      grad_x = at::convolution(g, weight, c10::nullopt, stride, padding, kNoDilation, false, kNoOutputPadding, 1);
    if (ctx->needs_input_grad(1))
      grad_weight = std::get<1>(at::convolution_backward(x, g, weight, c10::nullopt, stride, padding, kNoDilation,
                                                         false, kNoOutputPadding, 1, {false, true, false}));
    if (ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(2)) grad_bias = g.sum({0, 2, 3});
    return {grad_x, grad_weight, grad_bias, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor conv_transpose2d_as_input_gradient(const torch::Tensor& x, const torch::Tensor& weight,
                                                 const torch::Tensor& bias, torch::IntArrayRef stride,
                                                 torch::IntArrayRef padding) {
  TORCH_CHECK(x.dim() == 4 && weight.dim() == 4 && stride.size() == 2 && padding.size() == 2,
              "conv_transpose2d_as_input_gradient: 4-d input and weight, 2-d stride and padding");
  return TransposedConvAsInputGradient::apply(x, weight, bias, stride.vec(), padding.vec());
}

TransposedConv2dImpl::TransposedConv2dImpl(torch::nn::ConvTranspose2dOptions options_) : options(std::move(options_)) {
  reset();
}

void TransposedConv2dImpl::reset() {
  // LibTorch's layer draws the initial values, so they are ConvTranspose2d's for the same seed.
  torch::nn::ConvTranspose2dImpl initialised(options);
  weight = register_parameter("weight", initialised.weight);
  bias = register_parameter("bias", initialised.bias, options.bias());
}

torch::Tensor transposed_conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                                torch::IntArrayRef stride, torch::IntArrayRef padding) {
  // Under CPU autocast LibTorch's own layer casts to the lower precision; this path would not.
  if (!torch_compat::has_onednn_transposed_convolution() && x.device().is_cpu() && x.scalar_type() == torch::kFloat &&
      x.dim() == 4 && at::globalContext().userEnabledMkldnn() && !torch_compat::autocast_state(c10::kCPU).enabled)
    return conv_transpose2d_as_input_gradient(x, weight, bias, stride, padding);
  return at::conv_transpose2d(x, weight, bias, stride, padding);
}

torch::Tensor upsample2x_then_conv3x3(const torch::Tensor& x, const torch::nn::Conv2d& conv) {
  const auto& o = conv.ptr()->options;
  TORCH_CHECK(*o.kernel_size() == *torch::ExpandingArray<2>(3) && *o.stride() == *torch::ExpandingArray<2>(1) &&
                  o.groups() == 1 && *o.dilation() == *torch::ExpandingArray<2>(1),
              "upsample2x_then_conv3x3: a 3x3 convolution of stride 1");
  // Row k of the 4x4 kernel gathers the 3x3 rows that land on the same input row: an output
  // row 2i sees input rows i-1 (through 3x3 row 0) and i (rows 1 and 2), row 2i+1 sees i
  // (rows 0 and 1) and i+1 (row 2). In transposed-convolution order (kernel row k feeds output
  // row 2i - 1 + k from input row i) that is k=0: row 2, k=1: rows 1+2, k=2: rows 0+1, k=3: row 0.
  const torch::Tensor fold =
      torch::tensor({0.f, 0.f, 1.f, 0.f, 1.f, 1.f, 1.f, 1.f, 0.f, 1.f, 0.f, 0.f}, conv->weight.options()).view({4, 3});
  const torch::Tensor kernel = torch::matmul(torch::matmul(fold, conv->weight), fold.t());  // (O, I, 4, 4)
  return transposed_conv2d(x, kernel.transpose(0, 1), conv->bias, {2, 2}, {1, 1});
}

torch::Tensor TransposedConv2dImpl::forward(const torch::Tensor& x) {
  const bool plain_layer = options.groups() == 1 && *options.dilation() == *torch::ExpandingArray<2>(1) &&
                           *options.output_padding() == *torch::ExpandingArray<2>(0);
  if (plain_layer) return transposed_conv2d(x, weight, bias, *options.stride(), *options.padding());
  return at::conv_transpose2d(x, weight, bias, *options.stride(), *options.padding(), *options.output_padding(),
                              options.groups(), *options.dilation());
}

void TransposedConv2dImpl::pretty_print(std::ostream& stream) const {
  stream << "gencli::TransposedConv2d(" << options.in_channels() << ", " << options.out_channels()
         << ", kernel_size=" << options.kernel_size() << ", stride=" << options.stride() << ")";
}

}  // namespace gencli
