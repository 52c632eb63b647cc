// The stride-1 unpadded convolution whose weight gradient comes from gencli's kernel (AVX-512
// CPUs, channels-last float maps) against LibTorch's conv2d: values and the gradients of input,
// weight and bias for PixelCNN's kernel shapes, dilation, several channel counts and rows that
// do not fill the kernel's row groups; shapes the kernel does not take fall back to LibTorch.
#include <gtest/gtest.h>

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
  return valid_conv2d_uses_gencli_weight_gradient(x, w, dilation);
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

TEST(ValidConv2d, FallsBackWhereTheKernelDoesNotApply) {
  torch::Tensor x = to_channels_last(torch::randn({2, 32, 6, 6}));
  torch::Tensor w = torch::randn({64, 32, 2, 2}).requires_grad_(true);
  EXPECT_FALSE(valid_conv2d_uses_gencli_weight_gradient(x.contiguous(), w));             // NCHW input
  EXPECT_FALSE(valid_conv2d_uses_gencli_weight_gradient(x, w.detach()));                  // frozen weight
  EXPECT_FALSE(valid_conv2d_uses_gencli_weight_gradient(x.to(torch::kDouble), w.to(torch::kDouble)));
  {
    torch::NoGradGuard no_grad;  // sampling: nothing to differentiate
    EXPECT_FALSE(valid_conv2d_uses_gencli_weight_gradient(x, w));
  }
  torch::Tensor too_big = torch::randn({64, 32, 7, 7}).requires_grad_(true);  // larger than the map
  EXPECT_FALSE(valid_conv2d_uses_gencli_weight_gradient(x, too_big));
  // A layer with padding or stride is LibTorch's own forward.
  torch::nn::Conv2d padded(torch::nn::Conv2dOptions(32, 16, 3).padding(1));
  EXPECT_TRUE(torch::allclose(valid_conv2d(x, *padded), padded->forward(x)));
}
