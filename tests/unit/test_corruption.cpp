// Corruptions for the restoration demos, PSNR, and the comparison-grid helpers.
#include <gtest/gtest.h>

#include "core/errors.h"
#include "models/corruption.h"
#include "models/sampling.h"

using namespace gencli;

TEST(Corruption, ParsesNoiseAndMasks) {
  Corruption n = parse_corruption("noise:0.25");
  EXPECT_EQ(n.kind, Corruption::Kind::Noise);
  EXPECT_DOUBLE_EQ(n.sigma, 0.25);
  Corruption m = parse_corruption("mask:center");
  EXPECT_EQ(m.kind, Corruption::Kind::Mask);
  EXPECT_EQ(m.region, "center");
  for (const char* bad : {"noise", "noise:", "noise:-1", "noise:abc", "mask:middle", "blur:2", ""}) {
    SCOPED_TRACE(bad);
    try {
      parse_corruption(bad);
      FAIL() << "accepted";
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("--corrupt"), std::string::npos) << e.what();
    }
  }
}

TEST(Corruption, MaskRegionsHideTheRightPixels) {
  EXPECT_EQ(known_pixels("bottom", 28, 28).sum().item<int64_t>(), 28 * 14);
  EXPECT_EQ(known_pixels("bottom", 28, 28)[0][0][27][0].item<float>(), 0);
  EXPECT_EQ(known_pixels("top", 28, 28)[0][0][0][0].item<float>(), 0);
  EXPECT_EQ(known_pixels("right", 28, 28)[0][0][0][27].item<float>(), 0);
  EXPECT_EQ(known_pixels("left", 28, 28)[0][0][0][0].item<float>(), 0);
  torch::Tensor center = known_pixels("center", 28, 28);
  EXPECT_EQ(center.sum().item<int64_t>(), 28 * 28 - 14 * 14);
  EXPECT_EQ(center[0][0][14][14].item<float>(), 0);
  EXPECT_EQ(center[0][0][0][0].item<float>(), 1);
}

TEST(Corruption, CorruptKeepsRangeAndMarksTheHole) {
  torch::Generator g = at::detail::createCPUGenerator(1);
  torch::Tensor x = torch::rand({4, 1, 8, 8}, g);
  torch::Tensor noisy = corrupt(x, parse_corruption("noise:0.5"), g);
  EXPECT_TRUE((noisy >= 0).all().item<bool>() && (noisy <= 1).all().item<bool>());
  EXPECT_FALSE(torch::allclose(noisy, x));
  torch::Tensor masked = corrupt(x, parse_corruption("mask:bottom"), g);
  EXPECT_TRUE(torch::equal(masked.slice(2, 0, 4), x.slice(2, 0, 4)));
  EXPECT_TRUE((masked.slice(2, 4) == 0.5).all().item<bool>());
}

TEST(Corruption, PsnrOfKnownErrors) {
  torch::Tensor a = torch::zeros({2, 1, 4, 4});
  torch::Tensor b = a.clone();
  b[0].fill_(0.1);  // MSE 0.01 -> 20 dB
  b[1].fill_(1.0);  // MSE 1 -> 0 dB
  torch::Tensor p = psnr(b, a);
  EXPECT_NEAR(p[0].item<double>(), 20.0, 1e-4);
  EXPECT_NEAR(p[1].item<double>(), 0.0, 1e-6);
}

TEST(Sampling, InterleaveRowsPadsTheLastRow) {
  torch::Tensor a = torch::arange(5).view({5, 1, 1, 1}).to(torch::kFloat);
  torch::Tensor b = a + 10;
  torch::Tensor out = interleave_rows({a, b}, 3, -1);
  std::vector<float> got(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
  EXPECT_EQ(got, (std::vector<float>{0, 1, 2, 10, 11, 12, 3, 4, -1, 13, 14, -1}));
}

TEST(Sampling, PickExamplesDrawsDistinctImagesBySeed) {
  Batch split{torch::arange(50).view({50, 1, 1, 1}).to(torch::kFloat), torch::arange(50)};
  Batch a = pick_examples(split, 20, at::detail::createCPUGenerator(1));
  Batch b = pick_examples(split, 20, at::detail::createCPUGenerator(1));
  Batch c = pick_examples(split, 20, at::detail::createCPUGenerator(2));
  EXPECT_TRUE(torch::equal(a.images, b.images));
  EXPECT_FALSE(torch::equal(a.images, c.images));
  EXPECT_EQ(std::get<0>(torch::_unique(a.labels)).numel(), 20);
  EXPECT_TRUE(torch::equal(a.images.flatten(), a.labels.to(torch::kFloat)));
  EXPECT_THROW(pick_examples(split, 51, at::detail::createCPUGenerator(1)), UserError);
}
