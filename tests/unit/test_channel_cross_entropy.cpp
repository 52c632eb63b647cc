// Cross-entropy over dimension 1 (models/channel_cross_entropy.h) against LibTorch's
// cross_entropy: per-position values and the logits' gradient, on 3-D and 4-D logits stored
// class-major and position-major, with wide logit ranges, and clear errors for bad targets.
#include <gtest/gtest.h>

#include "models/channel_cross_entropy.h"

using namespace gencli;

namespace {

// Logits of the given shape stored position-major: each position's classes side by side.
torch::Tensor position_major(const std::vector<int64_t>& shape) {
  std::vector<int64_t> stored = shape;
  stored.erase(stored.begin() + 1);
  stored.push_back(shape[1]);
  return torch::randn(stored).movedim(-1, 1);
}

}  // namespace

TEST(ChannelCrossEntropy, ValuesAndGradientsEqualLibTorchs) {
  torch::manual_seed(11);
  for (bool positions_major : {false, true}) {
    for (const std::vector<int64_t>& shape :
         std::vector<std::vector<int64_t>>{{3, 256, 1001}, {2, 5, 7}, {1, 2, 1}, {2, 10, 4, 6}, {2, 37, 9}}) {
      torch::Tensor logits = ((positions_major ? position_major(shape) : torch::randn(shape)) * 8).requires_grad_(true);
      std::vector<int64_t> target_shape = shape;
      target_shape.erase(target_shape.begin() + 1);
      const torch::Tensor target = torch::randint(shape[1], target_shape, torch::kLong);
      const torch::Tensor upstream = torch::rand(target_shape);
      const torch::Tensor nats = channel_cross_entropy(logits, target);
      const torch::Tensor nats_ref = channel_cross_entropy_reference(logits, target);
      ASSERT_EQ(nats.sizes(), nats_ref.sizes());
      EXPECT_LT((nats - nats_ref).abs().max().item<float>(), 1e-4 * (1 + nats_ref.abs().max().item<float>()));
      const torch::Tensor grad = torch::autograd::grad({nats}, {logits}, {upstream})[0];
      const torch::Tensor grad_ref = torch::autograd::grad({nats_ref}, {logits}, {upstream})[0];
      EXPECT_LT((grad - grad_ref).abs().max().item<float>(), 1e-5) << torch::IntArrayRef(shape);  // entries in [-1, 1]
      if (positions_major && shape.back() > 1) EXPECT_FALSE(grad.is_contiguous()) << "the gradient kept the layout";
    }
  }
}

TEST(ChannelCrossEntropy, NonContiguousLogitsAndTheMeanLoss) {
  torch::manual_seed(4);
  torch::Tensor logits = torch::randn({9, 6, 4}).transpose(0, 2).requires_grad_(true);  // (4, 6, 9) strided
  const torch::Tensor target = torch::randint(6, {4, 9}, torch::kLong);
  const torch::Tensor loss = channel_cross_entropy(logits, target).mean();
  const torch::Tensor loss_ref = channel_cross_entropy_reference(logits, target).mean();
  EXPECT_NEAR(loss.item<float>(), loss_ref.item<float>(), 1e-5);
  const torch::Tensor g = torch::autograd::grad({loss}, {logits})[0];
  const torch::Tensor g_ref = torch::autograd::grad({loss_ref}, {logits})[0];
  EXPECT_TRUE(torch::allclose(g, g_ref, 1e-5, 1e-7));
}

TEST(ChannelCrossEntropy, BadTargetsAreErrors) {
  const torch::Tensor logits = torch::randn({2, 4, 3});
  EXPECT_THROW(channel_cross_entropy(logits, torch::full({2, 3}, 4, torch::kLong)), c10::Error);
  EXPECT_THROW(channel_cross_entropy(logits, torch::full({2, 3}, -1, torch::kLong)), c10::Error);
  EXPECT_THROW(channel_cross_entropy(logits, torch::zeros({2, 4}, torch::kLong)), c10::Error);
}
