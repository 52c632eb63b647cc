// The stride-1 unpadded convolution whose weight gradient comes from gencli's kernel (AVX-512
// CPUs, channels-last float maps) against LibTorch's conv2d: values and the gradients of input,
// weight and bias for PixelCNN's kernel shapes, dilation, several channel counts, rows split
// over threads and long rows split into patches; second derivatives; and the shapes and
// tensors the kernel does not take, which fall back to LibTorch.
#include <gtest/gtest.h>

#include <ATen/Parallel.h>

#include "models/channels_last.h"
#include "models/valid_conv2d.h"

using namespace gencli;

namespace {

struct ValidConvCase {
  int64_t batch, in, out, height, width, kernel_h, kernel_w, dilation_h, dilation_w;
};

// Relative to the largest magnitude, as float32 sums in another order differ by rounding.
float valid_conv_relative_gap(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs().max() / b.abs().max().clamp_min(1e-12)).item<float>();
}

// Returns whether gencli's weight gradient ran.
bool expect_valid_conv_matches_libtorch(const ValidConvCase& c) {
  const std::string what = std::to_string(c.in) + "->" + std::to_string(c.out) + " kernel " +
                           std::to_string(c.kernel_h) + "x" + std::to_string(c.kernel_w) + " dilation " +
                           std::to_string(c.dilation_h) + "x" + std::to_string(c.dilation_w);
  torch::Tensor x = to_channels_last(torch::randn({c.batch, c.in, c.height, c.width})).requires_grad_(true);
  torch::Tensor w = (torch::randn({c.out, c.in, c.kernel_h, c.kernel_w}) * 0.1).requires_grad_(true);
  torch::Tensor b = torch::randn({c.out}).requires_grad_(true);
  const std::vector<int64_t> dilation{c.dilation_h, c.dilation_w};
  torch::Tensor want = torch::conv2d(x, w, b, std::vector<int64_t>{1, 1}, std::vector<int64_t>{0, 0}, dilation);
  torch::Tensor got = valid_conv2d(x, w, b, dilation);
  EXPECT_EQ(got.sizes(), want.sizes()) << what;
  EXPECT_LT(valid_conv_relative_gap(got, want), 1e-6) << what;
  torch::Tensor upstream = to_channels_last(torch::randn_like(want));
  auto want_grads = torch::autograd::grad({want}, {x, w, b}, {upstream});
  auto got_grads = torch::autograd::grad({got}, {x, w, b}, {upstream});
  const char* names[] = {"input", "weight", "bias"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(got_grads[i].sizes(), want_grads[i].sizes()) << names[i] << " gradient, " << what;
    EXPECT_LT(valid_conv_relative_gap(got_grads[i], want_grads[i]), 1e-5) << names[i] << " gradient, " << what;
  }
  return valid_conv2d_uses_gencli_weight_gradient(x, w, b, dilation);
}

}  // namespace

TEST(ValidConv2d, GivesLibTorchsValuesAndGradients) {
  torch::manual_seed(11);
  const ValidConvCase cases[] = {
      {3, 32, 64, 9, 10, 2, 3, 1, 1},   // PixelCNN's vertical stack (padded input)
      {3, 32, 64, 7, 9, 1, 2, 1, 1},    // its horizontal stack
      {2, 64, 64, 5, 5, 1, 1, 1, 1},    // the 1x1 link from the vertical stack
      {5, 16, 32, 11, 6, 1, 1, 1, 1},   // 16 input channels, rows not a multiple of the kernel's groups
      {2, 32, 8, 4, 12, 1, 2, 1, 4},    // WaveNet-style dilation along the width
      {2, 64, 4, 8, 8, 3, 3, 2, 2},     // dilation in both directions
      {2, 8, 16, 6, 6, 3, 3, 1, 1},     // 8 input channels: LibTorch's weight gradient
      {2, 32, 3, 6, 6, 1, 1, 1, 1},     // 3 outputs, not a multiple of the block: LibTorch's
  };
  int taken = 0;
  for (const ValidConvCase& c : cases) taken += expect_valid_conv_matches_libtorch(c) ? 1 : 0;
  if (taken == 0) GTEST_SKIP() << "this CPU has no AVX-512: every case ran LibTorch's weight gradient";
  EXPECT_EQ(taken, 6);
}

// Over both threads of the pool, whose sums are added afterwards, and along rows longer than
// the kernel's patch of pixels (WaveNet's sequences).
TEST(ValidConv2d, SplitsRowsOverThreadsAndLongRowsIntoPatches) {
  torch::manual_seed(12);
  const int before = at::get_num_threads();
  at::set_num_threads(2);
  EXPECT_TRUE(expect_valid_conv_matches_libtorch({8, 32, 64, 18, 18, 2, 3, 1, 1}) ||
              !valid_conv2d_uses_gencli_weight_gradient(to_channels_last(torch::randn({1, 32, 4, 4})),
                                                        torch::randn({64, 32, 1, 1}).requires_grad_(true),
                                                        torch::randn({64})));
  expect_valid_conv_matches_libtorch({3, 32, 64, 1, 1100, 1, 2, 1, 4});
  at::set_num_threads(before);
}

// A gradient penalty differentiates the weight gradient again: that takes LibTorch's path.
TEST(ValidConv2d, SecondDerivativesMatchLibTorch) {
  torch::manual_seed(13);
  torch::Tensor x = to_channels_last(torch::randn({2, 32, 6, 7})).requires_grad_(true);
  torch::Tensor w = (torch::randn({64, 32, 2, 3}) * 0.1).requires_grad_(true);
  torch::Tensor b = torch::randn({64}).requires_grad_(true);
  auto penalty_gradient = [&](const torch::Tensor& out) {
    torch::Tensor gw = torch::autograd::grad({out.pow(2).sum()}, {w}, {}, true, true)[0];
    return torch::autograd::grad({gw.pow(2).sum()}, {x})[0];
  };
  torch::Tensor want = penalty_gradient(torch::conv2d(x, w, b));
  torch::Tensor got = penalty_gradient(valid_conv2d(x, w, b));
  EXPECT_LT(valid_conv_relative_gap(got, want), 1e-5);
}

TEST(ValidConv2d, FallsBackWhereTheKernelDoesNotApply) {
  torch::Tensor x = to_channels_last(torch::randn({2, 32, 6, 6}));
  torch::Tensor w = torch::randn({64, 32, 2, 2}).requires_grad_(true), b = torch::randn({64});
  EXPECT_FALSE(valid_conv2d_uses_gencli_weight_gradient(x.contiguous(), w, b));  // NCHW input
  EXPECT_FALSE(valid_conv2d_uses_gencli_weight_gradient(x, w.detach(), b));      // frozen weight
  EXPECT_FALSE(valid_conv2d_uses_gencli_weight_gradient(x, w, torch::Tensor()));  // no bias
  EXPECT_FALSE(valid_conv2d_uses_gencli_weight_gradient(x.to(torch::kDouble), w.to(torch::kDouble), b));
  {
    torch::NoGradGuard no_grad;  // sampling: nothing to differentiate
    EXPECT_FALSE(valid_conv2d_uses_gencli_weight_gradient(x, w, b));
  }
  torch::Tensor too_big = torch::randn({64, 32, 7, 7}).requires_grad_(true);  // larger than the map
  EXPECT_FALSE(valid_conv2d_uses_gencli_weight_gradient(x, too_big, b));
  EXPECT_TRUE(torch::allclose(valid_conv2d(x, w, torch::Tensor()), torch::conv2d(x, w)));
  // A layer with padding or stride is LibTorch's own forward.
  torch::nn::Conv2d padded(torch::nn::Conv2dOptions(32, 16, 3).padding(1));
  EXPECT_TRUE(torch::allclose(valid_conv2d(x, *padded), padded->forward(x)));
}
