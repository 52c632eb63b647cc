#include <gtest/gtest.h>

#include <cmath>

#include "models/gan/gan_losses.h"
#include "models/gan/networks.h"

using namespace gencli;
using namespace gencli::gan;

namespace {
int64_t count(torch::nn::Module& m) {
  int64_t n = 0;
  for (auto& p : m.parameters()) n += p.numel();
  return n;
}
}  // namespace

TEST(GanNetworks, ClassicMlpShapesAndSizes) {
  NetworkOptions o;  // defaults: 100 -> 256 -> 512 -> 784 and 784 -> 512 -> 256 -> 1
  Generator g(o);
  Discriminator d(o);
  EXPECT_EQ(count(*g), (100 * 256 + 256) + (256 * 512 + 512) + (512 * 784 + 784));
  EXPECT_EQ(count(*d), (784 * 512 + 512) + (512 * 256 + 256) + (256 + 1));
  torch::Tensor images = g->forward(torch::randn({5, 100}));
  EXPECT_EQ(images.sizes(), (std::vector<int64_t>{5, 1, 28, 28}));
  EXPECT_LE(images.abs().max().item<float>(), 1.0f);  // Tanh output
  EXPECT_EQ(d->forward(images).sizes(), (std::vector<int64_t>{5}));
}

TEST(GanNetworks, DcganAndConditionalShapes) {
  NetworkOptions o;
  o.model.arch = "dcgan";
  o.model.dcgan_width = 8;
  o.model.conditional = true;
  Generator g(o);
  Discriminator d(o);
  torch::Tensor labels = torch::tensor({0, 3, 9}, torch::kLong);
  torch::Tensor images = g->forward(torch::randn({3, 100}), labels);
  EXPECT_EQ(images.sizes(), (std::vector<int64_t>{3, 1, 28, 28}));
  EXPECT_EQ(d->forward(images, labels).sizes(), (std::vector<int64_t>{3}));
}

TEST(GanNetworks, ConditionalGeneratorDependsOnTheLabel) {
  NetworkOptions o;
  o.model.conditional = true;
  Generator g(o);
  torch::Tensor z = torch::randn({1, 100});
  EXPECT_FALSE(torch::allclose(g->forward(z, torch::tensor({1}, torch::kLong)),
                               g->forward(z, torch::tensor({7}, torch::kLong))));
}

TEST(GanLosses, KnownValues) {
  torch::Tensor zero = torch::zeros({4});
  EXPECT_NEAR(discriminator_loss("bce", zero, zero).item<double>(), 2 * std::log(2.0), 1e-6);
  EXPECT_NEAR(generator_loss("bce", zero).item<double>(), std::log(2.0), 1e-6);
  EXPECT_NEAR(discriminator_loss("hinge", torch::full({4}, 2.0), torch::full({4}, -2.0)).item<double>(), 0, 1e-9);
  EXPECT_NEAR(discriminator_loss("hinge", torch::zeros({4}), torch::zeros({4})).item<double>(), 2, 1e-9);
  torch::Tensor real = torch::tensor({1.0f, 3.0f}), fake = torch::tensor({-1.0f, 0.0f});
  EXPECT_NEAR(discriminator_loss("wasserstein", real, fake).item<double>(), -0.5 - 2.0, 1e-6);
  EXPECT_NEAR(generator_loss("wasserstein", fake).item<double>(), 0.5, 1e-6);
}

TEST(GanLosses, GradientPenaltyOfALinearCritic) {
  // f(x) = 3 x0 + 4 x1 has gradient norm 5 everywhere: penalty (5 - 1)^2 = 16.
  torch::Tensor a = torch::tensor({3.0f, 4.0f});
  auto critic = [&](const torch::Tensor& x) { return (x * a).sum(1); };
  torch::Tensor gp = gradient_penalty(critic, torch::randn({8, 2}), torch::randn({8, 2}), ExampleRandom());
  EXPECT_NEAR(gp.item<double>(), 16.0, 1e-4);
}
