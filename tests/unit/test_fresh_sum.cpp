// add_into_fresh: the sum a residual connection would make, in the memory of the convolution
// output it is handed, with the same values and gradients; a new tensor where the dtypes differ.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "models/fresh_sum.h"

using namespace gencli;

TEST(FreshSum, SumsIntoTheFreshTensorWithTheValuesAndGradientsOfAPlainSum) {
  torch::manual_seed(3);
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(4, 4, 3).padding(1));
  const torch::Tensor x = torch::randn({2, 4, 5, 5}).contiguous(at::MemoryFormat::ChannelsLast);
  const torch::Tensor bias_map = torch::randn({2, 4, 1, 1});  // broadcast, as the U-Net's time embedding
  const torch::Tensor upstream = torch::randn({2, 4, 5, 5});

  auto run = [&](bool fresh) {
    const torch::Tensor input = x.clone().requires_grad_(true);
    const torch::Tensor b = bias_map.clone().requires_grad_(true);
    conv->zero_grad();
    torch::Tensor out = conv(input);
    const void* memory = out.data_ptr();
    torch::Tensor h = fresh ? add_into_fresh(add_into_fresh(out, b), input) : out + b + input;
    EXPECT_EQ(h.data_ptr() == memory, fresh);
    h.backward(upstream);
    return std::vector<torch::Tensor>{h.detach(), input.grad(), b.grad(), conv->weight.grad().clone()};
  };
  const auto plain = run(false), fresh = run(true);
  for (size_t i = 0; i < plain.size(); ++i) EXPECT_TRUE(torch::equal(plain[i], fresh[i])) << i;
}

TEST(FreshSum, DifferentDtypesGetANewTensorOfTheWiderType) {
  const torch::Tensor half = torch::ones({3, 2}, torch::kBFloat16);
  const torch::Tensor wide = torch::full({3, 2}, 0.5);
  const torch::Tensor sum = add_into_fresh(half, wide);
  EXPECT_EQ(sum.scalar_type(), torch::kFloat);
  EXPECT_NE(sum.data_ptr(), half.data_ptr());
  EXPECT_TRUE(torch::equal(half, torch::ones({3, 2}, torch::kBFloat16)));  // untouched
  EXPECT_TRUE(torch::allclose(sum, torch::full({3, 2}, 1.5)));
}
