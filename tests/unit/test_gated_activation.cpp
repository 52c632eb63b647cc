// The fused gated activation against LibTorch's tanh * sigmoid: values and gradients, over
// the whole float range (saturation included), on 4-D and 3-D inputs, odd sizes that split
// unevenly across threads, a non-contiguous input, channels-last maps, and the fallback for
// other dtypes.
#include <gtest/gtest.h>

#include "models/gated_activation.h"

using namespace gencli;

namespace {

// Values and input gradients of f(x), for a fixed upstream gradient.
std::pair<torch::Tensor, torch::Tensor> value_and_grad(torch::Tensor (*f)(const torch::Tensor&), torch::Tensor x,
                                                       const torch::Tensor& upstream) {
  x = x.detach().requires_grad_(true);
  torch::Tensor y = f(x);
  torch::Tensor grad = torch::autograd::grad({y}, {x}, {upstream})[0];
  return {y.detach(), grad};
}

void expect_matches_reference(const torch::Tensor& x) {
  std::vector<int64_t> shape = x.sizes().vec();
  shape[1] /= 2;
  torch::Tensor upstream = torch::randn(shape);
  auto [y, g] = value_and_grad(gated_activation, x, upstream);
  auto [y_ref, g_ref] = value_and_grad(gated_activation_reference, x, upstream);
  ASSERT_EQ(y.sizes(), y_ref.sizes());
  EXPECT_LT((y - y_ref).abs().max().item<float>(), 1e-6) << x.sizes();
  EXPECT_LT((g - g_ref).abs().max().item<float>(), 1e-5) << x.sizes();
}

}  // namespace

TEST(GatedActivation, MatchesTanhTimesSigmoidAndItsGradient) {
  torch::manual_seed(2);
  expect_matches_reference(torch::randn({3, 8, 5, 7}) * 3);
  expect_matches_reference(torch::randn({2, 6, 40001}));         // blocks split across the pool
  expect_matches_reference(torch::randn({5, 4}) * 1e-3);         // near zero, where 1 - 2/(1+e^2a) cancels
  expect_matches_reference(torch::linspace(-120, 120, 2 * 4 * 301).view({2, 4, 301}));  // saturated, clamped
  expect_matches_reference(torch::randn({4, 6, 9}).transpose(0, 2).contiguous().transpose(0, 2));  // non-contiguous
}

TEST(GatedActivation, OtherDtypesUseLibTorchsOperators) {
  torch::Tensor x = torch::randn({2, 4, 3}, torch::kDouble);
  EXPECT_TRUE(torch::equal(gated_activation(x), gated_activation_reference(x)));
  EXPECT_THROW(gated_activation(torch::randn({2, 3, 4})), c10::Error);  // an odd dimension 1
}

TEST(GatedActivation, ABiasPerSampleAndChannelIsAddedInsideThePass) {
  torch::manual_seed(5);
  for (const std::vector<int64_t>& shape : std::vector<std::vector<int64_t>>{{3, 8, 5, 7}, {2, 6, 40001}, {4, 2, 1}}) {
    torch::Tensor x = (torch::randn(shape) * 2).requires_grad_(true);
    torch::Tensor bias = torch::randn({shape[0], shape[1]}).requires_grad_(true);
    std::vector<int64_t> out_shape = shape;
    out_shape[1] /= 2;
    const torch::Tensor upstream = torch::randn(out_shape);
    const torch::Tensor y = gated_activation(x, bias);
    const torch::Tensor y_ref = gated_activation_reference(x, bias);
    EXPECT_LT((y - y_ref).abs().max().item<float>(), 1e-6);
    const auto g = torch::autograd::grad({y}, {x, bias}, {upstream});
    const auto g_ref = torch::autograd::grad({y_ref}, {x, bias}, {upstream});
    EXPECT_LT((g[0] - g_ref[0]).abs().max().item<float>(), 1e-5) << "input gradient";
    EXPECT_LT((g[1] - g_ref[1]).abs().max().item<float>(), 1e-3 * (1 + g_ref[1].abs().max().item<float>()))
        << "bias gradient";
  }
  // Without a bias it is the plain gate; a bias of the wrong shape is an error.
  torch::Tensor x = torch::randn({2, 4, 3});
  EXPECT_TRUE(torch::equal(gated_activation(x, torch::Tensor()), gated_activation(x)));
  EXPECT_THROW(gated_activation(x, torch::randn({2, 2})), c10::Error);
}

TEST(GatedActivation, ChannelsLastMapsAreGatedInTheirLayout) {
  torch::manual_seed(6);
  constexpr auto kLast = at::MemoryFormat::ChannelsLast;
  // Channels within and beyond a vector, pixel rows that split unevenly across the pool and
  // across samples, with and without a bias.
  for (const std::vector<int64_t>& shape :
       std::vector<std::vector<int64_t>>{{3, 8, 5, 7}, {2, 64, 29, 31}, {5, 2, 3, 3}, {2, 130, 4, 4}}) {
    for (bool with_bias : {false, true}) {
      torch::Tensor x = (torch::randn(shape) * 3).contiguous(kLast).requires_grad_(true);
      torch::Tensor bias = with_bias ? torch::randn({shape[0], shape[1]}).requires_grad_(true) : torch::Tensor();
      std::vector<int64_t> out_shape = shape;
      out_shape[1] /= 2;
      const torch::Tensor upstream = torch::randn(out_shape);  // NCHW: the backward takes either
      const torch::Tensor y = gated_activation(x, bias);
      const torch::Tensor y_ref = gated_activation_reference(x, bias);
      EXPECT_TRUE(y.is_contiguous(kLast)) << shape;
      EXPECT_LT((y - y_ref).abs().max().item<float>(), 1e-6) << shape;
      std::vector<torch::Tensor> inputs{x};
      if (with_bias) inputs.push_back(bias);
      const auto g = torch::autograd::grad({y}, inputs, {upstream});
      const auto g_ref = torch::autograd::grad({y_ref}, inputs, {upstream});
      EXPECT_TRUE(g[0].is_contiguous(kLast)) << shape;
      EXPECT_LT((g[0] - g_ref[0]).abs().max().item<float>(), 1e-5) << shape << " input gradient";
      if (with_bias)
        EXPECT_LT((g[1] - g_ref[1]).abs().max().item<float>(), 1e-4 * (1 + g_ref[1].abs().max().item<float>()))
            << shape << " bias gradient";
    }
  }
}
