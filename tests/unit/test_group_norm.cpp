// The channels-last GroupNorm (and GroupNorm then SiLU) against LibTorch's operators: values
// and the gradients of the input, weight and bias, for group widths that fill, split and miss
// the vector width, activations far from zero (the variance's cancellation), an upstream
// gradient in the other layout; NCHW and other dtypes take LibTorch's path. And the U-Net's
// blocks give the same values and gradients on channels-last maps as on NCHW ones.
#include <gtest/gtest.h>

#include "models/diffusion/text_encoder.h"
#include "models/diffusion/unet.h"
#include "models/group_norm.h"

using namespace gencli;

namespace {

constexpr auto kChannelsLastFormat = at::MemoryFormat::ChannelsLast;

struct NormGradients {
  torch::Tensor y, dx, dweight, dbias;
};

NormGradients norm_and_gradients(torch::nn::GroupNorm norm, const torch::Tensor& input,
                                 const torch::Tensor& upstream, bool silu, bool reference) {
  torch::Tensor x = input.detach().requires_grad_(true);
  norm->zero_grad();
  torch::Tensor y = reference ? group_norm_reference(x, norm, silu) : silu ? group_norm_silu(x, norm) : group_norm(x, norm);
  y.backward(upstream);
  return {y.detach(), x.grad(), norm->weight.grad().clone(), norm->bias.grad().clone()};
}

// The largest error relative to the reference's largest magnitude (at least 1).
double max_error(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor reference = b.to(torch::kDouble);
  return ((a.to(torch::kDouble) - reference).abs() / reference.abs().max().clamp_min(1)).max().item<double>();
}

void expect_norm_matches(int64_t batch, int64_t channels, int64_t groups, int64_t height, int64_t width, float offset,
                         bool silu) {
  torch::nn::GroupNorm norm(torch::nn::GroupNormOptions(groups, channels));
  {
    torch::NoGradGuard no_grad;
    norm->weight.normal_(1.0, 0.5);
    norm->bias.normal_(0.0, 0.5);
  }
  torch::Tensor x = (torch::randn({batch, channels, height, width}) * 2 + offset).contiguous(kChannelsLastFormat);
  torch::Tensor upstream = torch::randn(x.sizes()).contiguous(kChannelsLastFormat);
  const NormGradients fast = norm_and_gradients(norm, x, upstream, silu, false);
  // LibTorch's operators in double: its float GroupNorm loses digits of the variance itself.
  torch::nn::GroupNorm norm64(std::dynamic_pointer_cast<torch::nn::GroupNormImpl>(norm->clone()));
  norm64->to(torch::kDouble);
  const NormGradients slow =
      norm_and_gradients(norm64, x.to(torch::kDouble), upstream.to(torch::kDouble), silu, true);
  const std::string what = "channels " + std::to_string(channels) + " groups " + std::to_string(groups) + " offset " +
                           std::to_string(offset) + (silu ? " silu" : "");
  EXPECT_TRUE(fast.y.is_contiguous(kChannelsLastFormat)) << what;
  EXPECT_TRUE(fast.dx.is_contiguous(kChannelsLastFormat)) << what;
  // (LibTorch's own channels-last GroupNorm in float is 9e-5 to 2.6e-4 off for inputs 50 from
  // zero.)
  EXPECT_LT(max_error(fast.y, slow.y), 2e-6) << what;
  EXPECT_LT(max_error(fast.dx, slow.dx), 1e-5) << what;
  EXPECT_LT(max_error(fast.dweight, slow.dweight), 1e-5) << what;
  EXPECT_LT(max_error(fast.dbias, slow.dbias), 1e-5) << what;
}

}  // namespace

TEST(GroupNorm, ChannelsLastMatchesLibTorchInDouble) {
  torch::manual_seed(5);
  for (bool silu : {false, true}) {
    expect_norm_matches(3, 16, 8, 5, 7, 0.0f, silu);   // groups of 2
    expect_norm_matches(2, 48, 8, 4, 4, 0.0f, silu);   // groups of 6, 3 vectors of 16
    expect_norm_matches(2, 6, 3, 3, 5, 0.0f, silu);    // fewer channels than a vector
    expect_norm_matches(4, 32, 1, 9, 9, 0.0f, silu);   // one group
    expect_norm_matches(2, 16, 16, 6, 6, 0.0f, silu);  // one channel a group
    expect_norm_matches(2, 16, 4, 7, 7, 50.0f, silu);  // far from zero
    expect_norm_matches(2, 16, 4, 28, 28, 50.0f, silu);  // far from zero, over many pixels
  }
}

TEST(GroupNorm, TakesAnUpstreamGradientInEitherLayout) {
  torch::manual_seed(6);
  torch::nn::GroupNorm norm(torch::nn::GroupNormOptions(4, 16));
  torch::Tensor x = torch::randn({2, 16, 5, 5}).contiguous(kChannelsLastFormat);
  torch::Tensor upstream = torch::randn({2, 16, 5, 5});  // NCHW
  const NormGradients fast = norm_and_gradients(norm, x, upstream, true, false);
  const NormGradients slow = norm_and_gradients(norm, x, upstream, true, true);
  EXPECT_LT(max_error(fast.dx, slow.dx), 2e-5);
  EXPECT_LT(max_error(fast.dweight, slow.dweight), 2e-5);
}

TEST(GroupNorm, OtherLayoutsAndDtypesUseLibTorch) {
  torch::nn::GroupNorm norm(torch::nn::GroupNormOptions(2, 4));
  torch::Tensor x = torch::randn({2, 4, 3, 3});  // NCHW
  EXPECT_TRUE(torch::equal(group_norm_silu(x, norm), group_norm_reference(x, norm, true)));
  torch::nn::GroupNorm norm64(torch::nn::GroupNormOptions(2, 4));
  norm64->to(torch::kDouble);
  torch::Tensor x64 = torch::randn({2, 4, 3, 3}, torch::kDouble).contiguous(kChannelsLastFormat);
  EXPECT_TRUE(torch::equal(group_norm(x64, norm64), group_norm_reference(x64, norm64, false)));
  EXPECT_THROW(group_norm(torch::randn({2, 5, 3, 3}), norm), c10::Error);
  // Groups that do not divide the channels: LibTorch's error, not a kernel reading past them.
  EXPECT_THROW(
      {
        torch::nn::GroupNorm uneven(torch::nn::GroupNormOptions(3, 16));
        group_norm(torch::randn({2, 16, 3, 3}).contiguous(kChannelsLastFormat), uneven);
      },
      c10::Error);
}

namespace {

// f's output and the input's gradient for x in NCHW and in channels-last.
template <class F>
void expect_same_in_both_layouts(F f, const torch::Tensor& x, const std::string& what) {
  auto run = [&](at::MemoryFormat format) {
    torch::Tensor input = x.contiguous(format).detach().requires_grad_(true);
    torch::Tensor y = f(input);
    y.backward(torch::ones_like(y));
    if (format == kChannelsLastFormat) {  // the block kept the layout, so its fast paths ran
      EXPECT_TRUE(y.is_contiguous(kChannelsLastFormat)) << what;
      EXPECT_TRUE(input.grad().is_contiguous(kChannelsLastFormat)) << what;
    }
    return std::make_pair(y.detach().contiguous(), input.grad().contiguous());
  };
  auto [y_nchw, dx_nchw] = run(at::MemoryFormat::Contiguous);
  auto [y_nhwc, dx_nhwc] = run(kChannelsLastFormat);
  EXPECT_LT(max_error(y_nhwc, y_nchw), 1e-5) << what;
  EXPECT_LT(max_error(dx_nhwc, dx_nchw), 1e-4) << what;
}

}  // namespace

TEST(GroupNorm, UNetBlocksGiveTheSameResultsInBothLayouts) {
  torch::manual_seed(7);
  diffusion::ResBlock block(8, 16, 12, 4, 0.0);
  torch::Tensor embedding = torch::randn({3, 12});
  expect_same_in_both_layouts([&](const torch::Tensor& x) { return block->forward(x, embedding); },
                              torch::randn({3, 8, 6, 6}), "residual block");
  diffusion::SelfAttention attention(16, 4);
  expect_same_in_both_layouts([&](const torch::Tensor& x) { return attention->forward(x); },
                              torch::randn({2, 16, 5, 5}), "self-attention");
  diffusion::CrossAttention cross(16, 10, 2, 4);
  diffusion::TextContext context{torch::randn({2, 3, 10}), torch::tensor({false, false, false, false, false, true},
                                                                         torch::kBool).view({2, 3})};
  expect_same_in_both_layouts([&](const torch::Tensor& x) { return cross->forward(x, context); },
                              torch::randn({2, 16, 4, 4}), "cross-attention");
}
