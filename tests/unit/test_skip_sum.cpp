// WaveNet's stacked skip connections (models/wavenet/skip_sum.h) against per-layer 1x1
// convolutions summed: the same values, the same gradients for every unit, weight and bias, on
// (B, C, T) sequences and on the (B, C, 1, T) channels-last maps WaveNet's forward pass uses.
#include <gtest/gtest.h>

#include "models/wavenet/skip_sum.h"

using gencli::wavenet::skip_sum;
using gencli::wavenet::skip_sum_reference;

namespace {

struct SkipSumCase {
  std::vector<torch::Tensor> gates, weights, biases;
};

// maps: the units as (B, C, 1, T) maps stored channels-last, with (S, C, 1, 1) weights, as
// WaveNet's forward pass makes them.
SkipSumCase make_case(int64_t layers, int64_t batch, int64_t channels, int64_t skip_channels, int64_t length,
                      bool maps = false) {
  SkipSumCase c;
  for (int64_t l = 0; l < layers; ++l) {
    torch::Tensor gate = torch::randn({batch, channels, length});
    torch::Tensor weight = torch::randn({skip_channels, channels, 1}).mul(0.3);
    if (maps) {
      gate = gate.unsqueeze(2).contiguous(at::MemoryFormat::ChannelsLast);
      weight = weight.unsqueeze(2);
    }
    c.gates.push_back(gate.requires_grad_());
    c.weights.push_back(weight.requires_grad_());
    c.biases.push_back(torch::randn({skip_channels}).requires_grad_());
  }
  return c;
}

std::vector<torch::Tensor> all_leaves(const SkipSumCase& c) {
  std::vector<torch::Tensor> leaves = c.gates;
  leaves.insert(leaves.end(), c.weights.begin(), c.weights.end());
  leaves.insert(leaves.end(), c.biases.begin(), c.biases.end());
  return leaves;
}

}  // namespace

TEST(SkipSum, ValuesAndGradientsEqualPerLayerConvolutions) {
  torch::manual_seed(7);
  for (bool maps : {false, true}) {
    for (const auto& [layers, batch, channels, skip_channels, length] :
         std::vector<std::array<int64_t, 5>>{{10, 2, 8, 12, 50}, {3, 1, 4, 4, 7}, {2, 3, 16, 8, 129}}) {
      const SkipSumCase c = make_case(layers, batch, channels, skip_channels, length, maps);
      torch::Tensor upstream = torch::randn({batch, skip_channels, length});
      if (maps) upstream = upstream.unsqueeze(2);
      const torch::Tensor fast = skip_sum(c.gates, c.weights, c.biases);
      if (maps) EXPECT_TRUE(fast.is_contiguous(at::MemoryFormat::ChannelsLast)) << "layers " << layers;
      const torch::Tensor plain = skip_sum_reference(c.gates, c.weights, c.biases);
      ASSERT_EQ(fast.sizes(), plain.sizes());
      EXPECT_TRUE(torch::allclose(fast, plain, 1e-5, 1e-5)) << "layers " << layers;
      const std::vector<torch::Tensor> leaves = all_leaves(c);
      const auto fast_grads = torch::autograd::grad({fast}, leaves, {upstream});
      const auto plain_grads = torch::autograd::grad({plain}, leaves, {upstream});
      for (size_t i = 0; i < leaves.size(); ++i) {
        ASSERT_TRUE(fast_grads[i].defined()) << "leaf " << i;
        EXPECT_EQ(fast_grads[i].sizes(), leaves[i].sizes()) << "leaf " << i;
        EXPECT_TRUE(torch::allclose(fast_grads[i], plain_grads[i], 1e-4, 1e-4))
            << "layers " << layers << ", leaf " << i << ": max difference "
            << (fast_grads[i] - plain_grads[i]).abs().max().item<double>();
      }
    }
  }
}

TEST(SkipSum, LayersOfDifferentWidthsAndOneLayer) {
  torch::manual_seed(3);
  SkipSumCase c;
  for (int64_t channels : {3, 5}) {
    c.gates.push_back(torch::randn({2, channels, 9}).requires_grad_());
    c.weights.push_back(torch::randn({4, channels, 1}).requires_grad_());
    c.biases.push_back(torch::randn({4}).requires_grad_());
  }
  EXPECT_TRUE(torch::allclose(skip_sum(c.gates, c.weights, c.biases), skip_sum_reference(c.gates, c.weights, c.biases),
                              1e-5, 1e-5));
  const SkipSumCase one = make_case(1, 2, 4, 6, 11);
  EXPECT_TRUE(torch::equal(skip_sum(one.gates, one.weights, one.biases),
                           skip_sum_reference(one.gates, one.weights, one.biases)));
}
