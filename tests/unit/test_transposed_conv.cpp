// The transposed convolution computed as a convolution's input gradient (the float32 CPU path
// of TransposedConv2d on LibTorch 1.13) against LibTorch's conv_transpose2d: values and the
// gradients of input, weight and bias, for the stride-2 layers of DCGAN and the conv VAE and
// for other strides, paddings, odd sizes and a batch of one; the layer keeps ConvTranspose2d's
// parameters and falls back to it where the fast path does not apply.
#include <gtest/gtest.h>

#include "models/transposed_conv.h"

#include "core/torch_compat.h"

using namespace gencli;

namespace {

struct TransposedConvCase {
  int64_t batch, in, out, side, kernel, stride, padding;
};

// Relative to the largest magnitude, as float32 sums in another order differ by rounding.
float relative_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs().max() / b.abs().max().clamp_min(1e-12)).item<float>();
}

void expect_matches_libtorch(const TransposedConvCase& c) {
  torch::Tensor x = torch::randn({c.batch, c.in, c.side, c.side}).requires_grad_(true);
  torch::Tensor w = (torch::randn({c.in, c.out, c.kernel, c.kernel}) * 0.1).requires_grad_(true);
  torch::Tensor b = torch::randn({c.out}).requires_grad_(true);
  torch::Tensor want = torch::conv_transpose2d(x, w, b, c.stride, c.padding);
  torch::Tensor got = conv_transpose2d_as_input_gradient(x, w, b, {c.stride, c.stride}, {c.padding, c.padding});
  ASSERT_EQ(got.sizes(), want.sizes());
  EXPECT_LT(relative_difference(got, want), 1e-6);
  torch::Tensor upstream = torch::randn_like(want);
  auto want_grads = torch::autograd::grad({want}, {x, w, b}, {upstream});
  auto got_grads = torch::autograd::grad({got}, {x, w, b}, {upstream});
  const char* names[] = {"input", "weight", "bias"};
  for (int i = 0; i < 3; ++i)
    EXPECT_LT(relative_difference(got_grads[i], want_grads[i]), 1e-5)
        << names[i] << " gradient, batch " << c.batch << " " << c.in << "->" << c.out << " side " << c.side;
}

}  // namespace

TEST(TransposedConv, InputGradientOfAConvolutionIsLibTorchsTransposedConvolution) {
  torch::manual_seed(4);
  expect_matches_libtorch({16, 64, 32, 7, 4, 2, 1});  // the conv VAE's and DCGAN's first upsampling
  expect_matches_libtorch({16, 32, 1, 14, 4, 2, 1});  // their last, to one channel
  expect_matches_libtorch({1, 3, 5, 9, 3, 1, 1});     // stride 1, a batch of one
  expect_matches_libtorch({2, 4, 6, 5, 5, 3, 2});     // odd sizes, stride 3
  expect_matches_libtorch({3, 2, 2, 4, 2, 2, 0});     // no padding
}

TEST(TransposedConv, LayerKeepsConvTransposeParametersAndOutputs) {
  torch::manual_seed(5);
  TransposedConv2d layer(torch::nn::ConvTranspose2dOptions(8, 4, 4).stride(2).padding(1));
  std::vector<std::string> names;
  for (const auto& p : layer->named_parameters()) names.push_back(p.key());
  EXPECT_EQ(names, (std::vector<std::string>{"weight", "bias"}));
  torch::manual_seed(5);
  torch::nn::ConvTranspose2d plain(torch::nn::ConvTranspose2dOptions(8, 4, 4).stride(2).padding(1));
  EXPECT_TRUE(torch::equal(layer->weight, plain->weight));  // the same initialisation
  EXPECT_TRUE(torch::equal(layer->bias, plain->bias));
  torch::Tensor x = torch::randn({5, 8, 6, 6});
  torch::NoGradGuard no_grad;
  EXPECT_LT(relative_difference(layer(x), plain(x)), 1e-6);
  // Other dtypes and output padding take LibTorch's own kernel.
  layer->to(torch::kDouble);
  plain->to(torch::kDouble);
  EXPECT_TRUE(torch::equal(layer(x.to(torch::kDouble)), plain(x.to(torch::kDouble))));
  TransposedConv2d padded(torch::nn::ConvTranspose2dOptions(8, 4, 3).stride(2).padding(1).output_padding(1));
  torch::nn::ConvTranspose2d padded_plain(torch::nn::ConvTranspose2dOptions(8, 4, 3).stride(2).padding(1).output_padding(1));
  padded_plain->weight.copy_(padded->weight);
  padded_plain->bias.copy_(padded->bias);
  EXPECT_TRUE(torch::equal(padded(x), padded_plain(x)));
}

TEST(TransposedConv, UpsamplingThenA3x3ConvolutionIsOneTransposedConvolution) {
  torch::manual_seed(7);
  for (int64_t side : {7, 14, 5}) {
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(6, 4, 3).padding(1));
    torch::Tensor x = torch::randn({3, 6, side, side}).requires_grad_(true);
    torch::Tensor want = conv(torch::nn::functional::interpolate(
        x, torch::nn::functional::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2}).mode(torch::kNearest)));
    torch::Tensor got = upsample2x_then_conv3x3(x, conv);
    ASSERT_EQ(got.sizes(), want.sizes());
    EXPECT_LT(relative_difference(got, want), 1e-6) << "side " << side;
    torch::Tensor upstream = torch::randn_like(want);
    auto want_grads = torch::autograd::grad({want}, {x, conv->weight, conv->bias}, {upstream});
    auto got_grads = torch::autograd::grad({got}, {x, conv->weight, conv->bias}, {upstream});
    for (int i = 0; i < 3; ++i) EXPECT_LT(relative_difference(got_grads[i], want_grads[i]), 1e-5) << i << ", side " << side;
  }
}

TEST(TransposedConv, CpuAutocastCastsAsLibTorchsLayerDoes) {
  TransposedConv2d layer(torch::nn::ConvTranspose2dOptions(4, 2, 4).stride(2).padding(1));
  torch::nn::ConvTranspose2d plain(torch::nn::ConvTranspose2dOptions(4, 2, 4).stride(2).padding(1));
  torch::Tensor x = torch::randn({2, 4, 5, 5});
  const auto before = torch_compat::autocast_state(c10::kCPU);
  torch_compat::set_autocast_state(c10::kCPU, {true, torch::kBFloat16});
  const auto got = layer(x).scalar_type(), want = plain(x).scalar_type();
  torch_compat::set_autocast_state(c10::kCPU, before);
  EXPECT_EQ(got, want);
}
