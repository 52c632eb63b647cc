// The WaveNet family: causality, the cached generation against full recomputation, the exact
// likelihood on hand cases, and training on a toy waveform.
#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.h"
#include "core/precision.h"
#include "data/mu_law.h"
#include "models/wavenet/packed_wavenet.h"
#include "models/wavenet/wavenet_model.h"
#include "step_fixtures.h"

using namespace gencli;
using namespace gencli::wavenet;

namespace {

WaveNetConfig small_config() {
  WaveNetConfig c;
  c.residual_channels = 8;
  c.skip_channels = 8;
  c.layers_per_stack = 4;  // dilations 1, 2, 4, 8
  c.stacks = 2;
  c.levels = 16;
  c.window = 64;
  return c;
}

}  // namespace

TEST(WaveNet, ReceptiveFieldIsOnePlusTheDilations) {
  WaveNetConfig c;
  EXPECT_EQ(c.receptive_field(), 2047);  // 2 x (1 + 2 + ... + 512) + 1
  EXPECT_EQ(small_config().receptive_field(), 31);
}

// The logits at t have an exactly zero gradient for every input at t or later, and for inputs
// more than the receptive field back; the nearest and the farthest visible ones do matter.
TEST(WaveNet, OutputsDependOnlyOnThePastWithinTheReceptiveField) {
  WaveNetConfig c = small_config();
  // Seeded before the weights are drawn: with unseeded ones, now and then every ReLU of the
  // head was off at position t and no gradient reached the input at all.
  torch::manual_seed(2);
  WaveNet net(c, 0);
  const int64_t length = 80, t = 60, field = c.receptive_field();
  torch::Tensor e = torch::randn({1, c.residual_channels, length}, torch::requires_grad());
  net->forward(e, {}).select(2, t).sum().backward();
  torch::Tensor g = e.grad()[0].abs().sum(0);  // (length)
  EXPECT_EQ(g.slice(0, t).sum().item<double>(), 0.0) << "sample t or later leaked into its own prediction";
  EXPECT_EQ(g.slice(0, 0, t - field).sum().item<double>(), 0.0) << "beyond the receptive field";
  EXPECT_GT(g[t - 1].item<double>(), 0.0);
  EXPECT_GT(g[t - field].item<double>(), 0.0);
}

// Feeding a fixed sequence one sample at a time through the cache gives the logits of one
// full forward pass at every position.
TEST(WaveNet, IncrementalLogitsMatchTheFullForwardPass) {
  for (bool conditional : {false, true}) {
    WaveNetConfig c = small_config();
    c.conditional = conditional;
    WaveNet net(c, 3);
    torch::NoGradGuard no_grad;
    torch::manual_seed(4);
    torch::Tensor codes = torch::randint(c.levels, {2, 100}, torch::kLong);
    torch::Tensor one_hot = conditional ? torch::one_hot(torch::tensor({0, 2}), 3).to(torch::kFloat) : torch::Tensor();
    torch::Tensor full = net->forward(net->embed(codes), one_hot);  // (2, levels, 100)
    IncrementalWaveNet incremental(*net, 2, one_hot);
    torch::Tensor previous = torch::zeros({2, c.residual_channels});
    for (int64_t t = 0; t < 100; ++t) {
      torch::Tensor logits = incremental.step(previous);
      ASSERT_TRUE(torch::allclose(logits, full.select(2, t), 1e-4, 1e-5)) << "t = " << t;
      previous = net->embed(codes.slice(1, t, t + 1)).squeeze(2);
    }
  }
}

// Generation with the cache and by recomputing the receptive field draw the same codes, sample
// for sample, from the same seed, well past the receptive field.
TEST(WaveNet, CachedGenerationEqualsRecomputation) {
  WaveNetConfig c = small_config();
  c.conditional = true;
  WaveNetModel model(c, 3, 8000);
  model.eval();
  SampleRequest r;
  r.num = 2;
  r.length = 120;
  r.labels = torch::tensor({1, 2});
  r.generator = at::detail::createCPUGenerator(9);
  torch::Tensor cached = model.generate(2, 120, r.labels, r);
  r.use_cache = false;
  r.generator = at::detail::createCPUGenerator(9);
  torch::Tensor recomputed = model.generate(2, 120, r.labels, r);
  EXPECT_TRUE(torch::equal(cached, recomputed));
  EXPECT_GT(std::get<0>(at::_unique(cached)).numel(), 3) << "the draw should not be constant";
}

// The packed CPU step gives IncrementalWaveNet's logits, step for step, well past the
// receptive field (31 here), fed the same random codes.
TEST(WaveNet, PackedStepLogitsMatchTheIncrementalStep) {
  for (bool conditional : {false, true}) {
    WaveNetConfig c = small_config();
    c.conditional = conditional;
    torch::manual_seed(conditional ? 12 : 11);
    WaveNet net(c, 3);
    torch::NoGradGuard no_grad;
    ASSERT_TRUE(PackedWaveNet::applies(*net));
    torch::Tensor codes = torch::randint(c.levels, {3, 300}, torch::kLong);
    torch::Tensor one_hot = conditional ? torch::one_hot(torch::tensor({0, 2, 1}), 3).to(torch::kFloat) : torch::Tensor();
    IncrementalWaveNet incremental(*net, 3, one_hot);
    PackedWaveNet packed(*net, 3, one_hot);
    torch::Tensor previous = torch::zeros({3, c.residual_channels});
    for (int64_t t = 0; t < 300; ++t) {
      torch::Tensor expected = incremental.step(previous);
      torch::Tensor actual = packed.step();
      ASSERT_TRUE(torch::allclose(actual, expected, 0.0, 1e-5))
          << "conditional " << conditional << ", t = " << t << ": max difference "
          << (actual - expected).abs().max().item<double>();
      torch::Tensor code = codes.select(1, t);
      previous = net->embed(code.unsqueeze(1)).squeeze(2);
      packed.set_input_codes(code);
    }
  }
}

// Under bf16 autocast the tensor path computes in bf16, which the packed step would not
// reproduce, so generation keeps IncrementalWaveNet there.
TEST(WaveNet, PackedStepStandsAsideUnderAutocast) {
  WaveNet net(small_config(), 0);
  AutocastGuard autocast(Precision::bf16, torch::kCPU);
  EXPECT_FALSE(PackedWaveNet::applies(*net));
}

// Generation through the packed step draws the codes of IncrementalWaveNet and of recomputing
// the receptive field, from the same seed.
TEST(WaveNet, PackedGenerationDrawsTheSameCodes) {
  for (bool conditional : {false, true}) {
    WaveNetConfig c = small_config();
    c.conditional = conditional;
    torch::manual_seed(conditional ? 14 : 13);
    WaveNetModel model(c, 3, 8000);
    model.eval();
    SampleRequest r;
    r.num = 2;
    r.length = 150;
    r.labels = conditional ? torch::tensor({2, 0}) : torch::Tensor();
    auto draw = [&](bool use_cache, bool packed) {
      r.use_cache = use_cache;
      model.use_packed_step = packed;
      r.generator = at::detail::createCPUGenerator(21);
      return model.generate(2, 150, r.labels, r);
    };
    torch::Tensor packed = draw(true, true);
    EXPECT_TRUE(torch::equal(packed, draw(true, false))) << "conditional " << conditional;
    EXPECT_TRUE(torch::equal(packed, draw(false, false))) << "conditional " << conditional;
    EXPECT_GT(std::get<0>(at::_unique(packed)).numel(), 3) << "the draw should not be constant";
  }
}

TEST(WaveNet, SampleReturnsWaveformsOfTheRequestedLength) {
  WaveNetModel model(small_config(), 10, 8000);
  model.eval();
  SampleRequest r;
  r.num = 3;
  r.length = 50;
  r.generator = at::detail::createCPUGenerator(1);
  int64_t last = 0;
  r.progress = [&](int64_t done, int64_t) { last = done; };
  torch::Tensor audio = model.sample(r);
  EXPECT_EQ(audio.sizes(), torch::IntArrayRef({3, 1, 1, 50}));
  EXPECT_LE(audio.abs().max().item<double>(), 1.0);
  EXPECT_EQ(last, 50);
}

// With the output layer zeroed every code is equally likely: log2(levels) bits per sample, on
// the speech part and with the padding alike.
TEST(WaveNet, UniformOutputsScoreLog2LevelsBits) {
  WaveNetModel model(small_config(), 10, 8000);
  {
    torch::NoGradGuard no_grad;
    model.network->head_out->weight.zero_();
    model.network->head_out->bias.zero_();
  }
  torch::Tensor clips = torch::rand({3, 1, 1, 200}) * 2 - 1;
  clips.slice(3, 150).zero_();  // padding after sample 150
  EvalContext ctx;
  ctx.test_split = {clips, torch::zeros({3}, torch::kLong)};
  nlohmann::json j = model.evaluate(ctx);
  EXPECT_NEAR(j["bits_per_sample"].get<double>(), 4.0, 1e-5);
  EXPECT_NEAR(j["bits_per_sample_with_padding"].get<double>(), 4.0, 1e-5);
  EXPECT_EQ(j["samples_scored"].get<int64_t>(), 3 * 150);
}

TEST(WaveNet, TrainingOnASineLowersTheNll) {
  torch::manual_seed(6);
  WaveNetConfig c = small_config();
  auto model = std::make_shared<WaveNetModel>(c, 10, 8000);
  // Sines of a few periods, as clips (N, 1, 1, 256).
  torch::Tensor t = torch::arange(256).to(torch::kFloat);
  torch::Tensor periods = torch::tensor({16.0, 20.0, 32.0, 40.0}).view({4, 1});
  torch::Tensor clips = (0.8 * torch::sin(2 * M_PI * t / periods)).view({4, 1, 1, 256});
  fixtures::TensorBatches batches(Batch{clips.repeat({4, 1, 1, 1}), torch::Tensor()}, 8);
  fixtures::AdamFor optim(model->optimized_parts().front().parameters, 1e-2);
  const auto [first, last] = fixtures::train_steps(*model, batches, optim, 80);
  EXPECT_NEAR(first, std::log(16.0), 0.5);
  EXPECT_LT(last, first / 2);
}

TEST(WaveNet, WindowLongerThanTheClipIsAClearError) {
  WaveNetModel model(small_config(), 10, 8000);
  fixtures::TensorBatches batches(Batch{torch::zeros({4, 1, 1, 32}), torch::Tensor()}, 2);
  fixtures::AdamFor optim(model.optimized_parts().front().parameters);
  StepContext ctx;
  ctx.batches = &batches;
  ctx.optimizers = &optim;
  EXPECT_THROW(model.train_step(ctx), UserError);
}
