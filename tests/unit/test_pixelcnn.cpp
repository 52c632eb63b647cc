// The PixelCNN family: masks, causality of both networks (no pixel sees itself or anything
// after it), the exact likelihood on hand cases, training on a toy set, pixel-by-pixel
// sampling and completion, and the gated network's generation cache against the plain path.
#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.h"
#include "models/discrete_pixels.h"
#include "models/pixelcnn/gated_raster_cache.h"
#include "models/pixelcnn/masked_conv.h"
#include "models/pixelcnn/pixelcnn_model.h"
#include "step_fixtures.h"

using namespace gencli;
using namespace gencli::pixelcnn;

namespace {

PixelCnnConfig small_config(const std::string& arch, const std::string& likelihood) {
  PixelCnnConfig c;
  c.arch = arch;
  c.likelihood = likelihood;
  c.levels = 4;
  c.channels = 8;
  c.layers = 3;
  c.head_channels = 8;
  c.image_size = 8;
  return c;
}

// d(sum of the logits at pixel (i, j)) / d(input), (C, H, W), for one random input image.
torch::Tensor input_gradient(PixelNetworkImpl& net, int64_t channels, int64_t size, int64_t i, int64_t j) {
  torch::manual_seed(5);
  torch::Tensor x = torch::randn({1, channels, size, size}, torch::requires_grad());
  net.forward(x, {}).select(3, j).select(2, i).sum().backward();
  return x.grad()[0];
}

// 0/1 per pixel: whether (r, c) comes before (i, j) in raster order.
torch::Tensor before(int64_t size, int64_t i, int64_t j) {
  torch::Tensor m = torch::zeros({size, size});
  m.slice(0, 0, i).fill_(1);
  m[i].slice(0, 0, j).fill_(1);
  return m;
}

}  // namespace

TEST(MaskedConv, MasksOfEachKind) {
  EXPECT_TRUE(torch::equal(make_mask(MaskKind::A, 3, 3), torch::tensor({1, 1, 1, 1, 0, 0, 0, 0, 0}).view({3, 3}).to(torch::kFloat)));
  EXPECT_TRUE(torch::equal(make_mask(MaskKind::B, 3, 3), torch::tensor({1, 1, 1, 1, 1, 0, 0, 0, 0}).view({3, 3}).to(torch::kFloat)));
  EXPECT_TRUE(torch::equal(make_mask(MaskKind::Vertical, 3, 3), torch::tensor({1, 1, 1, 1, 1, 1, 0, 0, 0}).view({3, 3}).to(torch::kFloat)));
  EXPECT_TRUE(torch::equal(make_mask(MaskKind::RowA, 1, 5), torch::tensor({1, 1, 0, 0, 0}).view({1, 5}).to(torch::kFloat)));
  EXPECT_TRUE(torch::equal(make_mask(MaskKind::RowB, 1, 5), torch::tensor({1, 1, 1, 0, 0}).view({1, 5}).to(torch::kFloat)));
}

// Convolving with the kept corner of the kernel gives the full masked convolution's outputs and
// weight gradients (zero where the mask is), for every kind and odd kernel.
TEST(MaskedConv, TheKeptCornerComputesTheFullMaskedConvolution) {
  for (const MaskKind kind : {MaskKind::A, MaskKind::B, MaskKind::Vertical, MaskKind::RowA, MaskKind::RowB}) {
    for (const int64_t kernel : {3, 5, 7}) {
      torch::manual_seed(3);
      MaskedConv2d conv(3, 4, kernel, kind);
      torch::Tensor x = torch::randn({2, 3, 6, 9});
      torch::Tensor fast = conv->forward(x);
      torch::Tensor grad_fast = torch::autograd::grad({(fast * fast).sum()}, {conv->weight})[0];
      torch::Tensor full = conv->forward_full_kernel(x);
      torch::Tensor grad_full = torch::autograd::grad({(full * full).sum()}, {conv->weight})[0];
      ASSERT_EQ(fast.sizes(), torch::IntArrayRef({2, 4, 6, 9}));
      ASSERT_EQ(full.sizes(), fast.sizes());
      EXPECT_TRUE(torch::allclose(fast, full, 1e-5, 1e-5)) << "kind " << int(kind) << " kernel " << kernel;
      EXPECT_TRUE(torch::allclose(grad_fast, grad_full, 1e-4, 1e-5)) << "kind " << int(kind) << " kernel " << kernel;
      EXPECT_TRUE(torch::equal(grad_fast * (1 - conv->mask), torch::zeros_like(grad_fast)));
    }
  }
}

// The gradient of pixel (i, j)'s logits is exactly zero for every input at or after (i, j),
// for every channel, and nonzero for some input before it. The gated network, whose receptive
// field has no blind spot, also sees the pixels up and to the right.
TEST(PixelCnnNetworks, OutputsDependOnlyOnEarlierPixels) {
  for (const std::string arch : {"gated", "residual"}) {
    for (const std::string likelihood : {"bernoulli", "categorical"}) {
      PixelCnnConfig c = small_config(arch, likelihood);
      c.image_channels = 2;
      torch::manual_seed(3);  // the weights, too, are fixed (see WaveNet's causality test)
      auto net = make_pixel_network(c, 0);
      for (auto [i, j] : std::vector<std::pair<int64_t, int64_t>>{{0, 0}, {3, 4}, {7, 7}, {5, 0}}) {
        torch::Tensor g = input_gradient(*net, 2, 8, i, j).abs().sum(0);  // over channels
        torch::Tensor after = 1 - before(8, i, j);
        EXPECT_EQ((g * after).sum().item<double>(), 0.0) << arch << " " << likelihood << " pixel " << i << "," << j;
        if (i > 0 || j > 0) {
          EXPECT_GT((g * before(8, i, j)).sum().item<double>(), 0.0) << arch << " pixel " << i << "," << j;
        }
      }
      if (arch == "gated") {
        torch::Tensor g = input_gradient(*net, 2, 8, 4, 2).abs().sum(0);
        EXPECT_GT(g[3][4].item<double>(), 0.0) << "the pixel up and to the right is in view";
        EXPECT_GT(g[4][1].item<double>(), 0.0) << "the pixel to the left is in view";
      }
    }
  }
}

TEST(PixelCnnLikelihood, BitsPerDimIsNatsOverDimsLn2) {
  EXPECT_DOUBLE_EQ(bits_per_dim(784 * std::log(2.0), 784), 1.0);
  EXPECT_NEAR(bits_per_dim(81.0, 784), 81.0 / (784 * 0.69314718056), 1e-12);
}

TEST(PixelCnnLikelihood, LevelsRoundTripEightBitPixels) {
  torch::Tensor bytes = torch::arange(256).to(torch::kFloat);
  torch::Tensor levels = to_levels(bytes / 255, 256);
  EXPECT_TRUE(torch::equal(levels, torch::arange(256)));
  EXPECT_TRUE(torch::allclose(from_levels(levels, 256), bytes / 255));
  EXPECT_TRUE(torch::equal(to_levels(torch::tensor({0.0, 0.24, 0.26, 0.99, 1.0}), 4), torch::tensor({0, 0, 1, 3, 3})));
}

// With the output layer zeroed every pixel is uniform over K levels (or a fair coin), so the
// exact NLL of any image is D ln K, and eval reports log2 K bits per dimension.
TEST(PixelCnnLikelihood, UniformOutputsScoreDLnK) {
  for (const std::string likelihood : {"bernoulli", "categorical"}) {
    PixelCnnConfig c = small_config("gated", likelihood);
    PixelCnnModel model(c, 10);
    {
      torch::NoGradGuard no_grad;
      for (auto& item : model.named_parameters())
        if (item.key().find("head.out") != std::string::npos) item.value().zero_();
    }
    const double k = likelihood == "bernoulli" ? 2 : 4;
    torch::Tensor images = torch::rand({5, 1, 8, 8});
    EvalContext ctx;
    ctx.test_split = {images, torch::zeros({5}, torch::kLong)};
    nlohmann::json j = model.evaluate(ctx);
    EXPECT_NEAR(j["nll_nats"].get<double>(), 64 * std::log(k), 1e-4) << likelihood;
    EXPECT_NEAR(j["bits_per_dim"].get<double>(), std::log2(k), 1e-6) << likelihood;
  }
}

// A handful of fixed 8x8 patterns: the NLL of the training batch must fall well below its start.
TEST(PixelCnnModel, TrainingLowersTheNll) {
  torch::manual_seed(11);
  PixelCnnConfig c = small_config("gated", "categorical");
  auto model = std::make_shared<PixelCnnModel>(c, 10);
  torch::Tensor images = torch::zeros({4, 1, 8, 8});
  images[0][0].slice(0, 2, 4).fill_(1.0);
  images[1][0].slice(1, 5, 6).fill_(2.0 / 3);
  images[2][0].fill_(1.0 / 3);
  images[3][0].diagonal().fill_(1.0);
  fixtures::TensorBatches batches(Batch{images.repeat({8, 1, 1, 1}), torch::Tensor()}, 16);
  fixtures::AdamFor optim(model->optimized_parts().front().parameters, 1e-2);
  const auto [first, last] = fixtures::train_steps(*model, batches, optim, 60);
  EXPECT_NEAR(first, 64 * std::log(4.0), 15.0);  // close to uniform at the start
  EXPECT_LT(last, first / 3);
}

TEST(PixelCnnModel, SamplesAreLevelsAndCompletionKeepsTheGivenRows) {
  PixelCnnConfig c = small_config("residual", "categorical");
  PixelCnnModel model(c, 10);
  model.eval();
  SampleRequest r;
  r.num = 3;
  r.generator = at::detail::createCPUGenerator(1);
  int64_t calls = 0, last_total = 0;
  r.progress = [&](int64_t done, int64_t total) { calls = done; last_total = total; };
  torch::Tensor samples = model.sample(r);
  EXPECT_EQ(samples.sizes(), torch::IntArrayRef({3, 1, 8, 8}));
  EXPECT_EQ(calls, 64);
  EXPECT_EQ(last_total, 64);
  EXPECT_TRUE(torch::equal(to_levels(samples, 4), (samples * 3).round().to(torch::kLong)));

  ModeRequest m;
  m.mode = "complete";
  m.sampling.num = 4;
  m.sampling.generator = at::detail::createCPUGenerator(2);
  m.nrow = 4;
  m.given_rows = 5;
  m.test_split = {torch::rand({10, 1, 8, 8}), torch::zeros({10}, torch::kLong)};
  ModeResult result = model.sample_mode(m);
  ASSERT_EQ(result.images.size(0), 12);  // given, completed, original rows of 4
  torch::Tensor given = result.images.slice(0, 0, 4), completed = result.images.slice(0, 4, 8),
                original = result.images.slice(0, 8, 12);
  EXPECT_TRUE(torch::equal(completed.slice(2, 0, 5), original.slice(2, 0, 5)));
  EXPECT_TRUE(torch::equal(given.slice(2, 0, 5), original.slice(2, 0, 5)));
  EXPECT_FALSE(torch::equal(completed.slice(2, 5), original.slice(2, 5)));
  m.given_rows = 8;
  EXPECT_THROW(model.sample_mode(m), UserError);
}

// A near-zero temperature draws the most likely value every time, so two seeds agree. (Two
// values within about T of each other in logit are a coin toss at any temperature; at 1e-4 a
// random model met one now and then, so the temperature is 1e-7 and the weights fixed.)
TEST(PixelCnnModel, LowTemperatureIsGreedy) {
  torch::manual_seed(11);
  PixelCnnConfig c = small_config("gated", "bernoulli");
  PixelCnnModel model(c, 10);
  model.eval();
  SampleRequest r;
  r.num = 2;
  r.temperature = 1e-7;
  r.generator = at::detail::createCPUGenerator(1);
  torch::Tensor a = model.sample(r);
  r.generator = at::detail::createCPUGenerator(2);
  torch::Tensor b = model.sample(r);
  EXPECT_TRUE(torch::equal(a, b));
  r.temperature = 1.0;
  r.generator = at::detail::createCPUGenerator(1);
  torch::Tensor c1 = model.sample(r);
  r.generator = at::detail::createCPUGenerator(2);
  EXPECT_FALSE(torch::equal(c1, model.sample(r)));
}

// The class enters every layer: two labels give different logits for the same image, and
// sampling without labels is refused.
TEST(PixelCnnModel, ConditionalModelsUseTheLabel) {
  for (const std::string arch : {"gated", "residual"}) {
    PixelCnnConfig c = small_config(arch, "bernoulli");
    c.conditional = true;
    PixelCnnModel model(c, 3);
    torch::NoGradGuard no_grad;
    torch::Tensor x = torch::ones({1, 1, 8, 8});
    EXPECT_FALSE(torch::allclose(model.logits(x, torch::tensor({0})), model.logits(x, torch::tensor({2}))));
    SampleRequest r;
    r.num = 1;
    EXPECT_THROW(model.sample(r), UserError);
  }
}

// The cache's logits at every pixel equal the whole network's on the same image, for kernels 3
// and 5, two image channels, categorical outputs, a class, and given top rows.
TEST(GatedRasterCache, LogitsEqualTheNetworksAtEveryPixel) {
  struct PixelCnnCase { int64_t kernel, image_channels; std::string likelihood; bool conditional; int64_t first_row; };
  for (const PixelCnnCase& k : {PixelCnnCase{3, 1, "bernoulli", false, 0}, PixelCnnCase{5, 2, "categorical", true, 0},
                        PixelCnnCase{3, 1, "bernoulli", true, 3}}) {
    torch::manual_seed(21);
    PixelCnnConfig c = small_config("gated", k.likelihood);
    c.kernel = k.kernel;
    c.image_channels = k.image_channels;
    c.conditional = k.conditional;
    c.image_size = 7;
    auto net = make_pixel_network(c, 3);
    auto& gated = dynamic_cast<GatedPixelCnnImpl&>(*net);
    torch::NoGradGuard no_grad;
    torch::Tensor x = torch::rand({2, k.image_channels, 7, 7}) * 2 - 1;
    torch::Tensor one_hot = k.conditional ? torch::one_hot(torch::tensor({0, 2}), 3).to(torch::kFloat) : torch::Tensor();
    torch::Tensor expected = gated.forward(x, one_hot);
    GatedRasterCache cache(gated, x, one_hot, k.first_row);
    for (int64_t i = k.first_row; i < 7; ++i) {
      for (int64_t j = 0; j < 7; ++j) {
        torch::Tensor got = cache.logits_at(i, j);
        ASSERT_TRUE(torch::allclose(got, expected.select(3, j).select(2, i), 1e-4, 1e-5))
            << "kernel " << k.kernel << " at (" << i << ", " << j << "): max difference "
            << (got - expected.select(3, j).select(2, i)).abs().max().item<float>();
        cache.set_pixel(i, j, x.select(3, j).select(2, i));
      }
    }
  }
}

// Sampling and completion with the cache draw the same pixels as recomputing the network for
// every pixel, from the same generator.
TEST(GatedRasterCache, SamplingDrawsWhatThePlainPathDraws) {
  for (const std::string likelihood : {"bernoulli", "categorical"}) {
    torch::manual_seed(4);
    PixelCnnConfig c = small_config("gated", likelihood);
    PixelCnnModel model(c, 10);
    model.eval();
    ASSERT_TRUE(model.capabilities().reads.cache);
    SampleRequest r;
    r.num = 3;
    r.generator = at::detail::createCPUGenerator(8);
    torch::Tensor cached = model.sample(r);
    r.use_cache = false;
    r.generator = at::detail::createCPUGenerator(8);
    torch::Tensor plain = model.sample(r);
    EXPECT_TRUE(torch::equal(cached, plain)) << likelihood;
    EXPECT_GT(cached.std().item<float>(), 0) << likelihood;

    torch::Tensor given = model.targets(torch::rand({3, 1, 8, 8}), at::detail::createCPUGenerator(1));
    r.generator = at::detail::createCPUGenerator(9);
    torch::Tensor completed_plain = model.generate(given.clone(), {}, 4, r);
    r.use_cache = true;
    r.generator = at::detail::createCPUGenerator(9);
    torch::Tensor completed_cached = model.generate(given.clone(), {}, 4, r);
    EXPECT_TRUE(torch::equal(completed_cached, completed_plain)) << likelihood;
    EXPECT_TRUE(torch::equal(completed_cached.slice(2, 0, 4), given.slice(2, 0, 4))) << likelihood;
  }
  PixelCnnModel residual(small_config("residual", "bernoulli"), 10);
  EXPECT_FALSE(residual.capabilities().reads.cache);
}
