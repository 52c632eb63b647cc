// The diffusion family: schedules against closed forms, the samplers against hand-computed
// steps of a fake network, guidance, inpainting, and the denoiser's shapes.
#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.h"
#include "models/corruption.h"
#include "models/diffusion/diffusion_model.h"
#include "models/diffusion/noise_schedule.h"
#include "models/diffusion/samplers.h"
#include "train/ema.h"

using namespace gencli;
using namespace gencli::diffusion;

namespace {

torch::Generator gen(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

DiffusionConfig toy_config(bool conditional) {
  DiffusionConfig c;
  c.arch = "mlp";
  c.image_channels = 2;
  c.image_size = 1;
  c.mlp_hidden = {32};
  c.timesteps = 20;
  c.conditional = conditional;
  c.clip_denoised = false;
  return c;
}

DiffusionConfig tiny_unet_config() {
  DiffusionConfig c;
  c.image_size = 8;
  c.base_channels = 8;
  c.channel_mult = {1, 2};
  c.groups = 4;
  c.timesteps = 50;
  return c;
}

}  // namespace

TEST(NoiseSchedule, LinearMatchesItsDefinition) {
  NoiseSchedule s = NoiseSchedule::linear(1000, 1e-4, 0.02);
  EXPECT_EQ(s.timesteps(), 1000);
  EXPECT_DOUBLE_EQ(s.beta(0), 1e-4);
  EXPECT_NEAR(s.beta(999), 0.02, 1e-15);
  EXPECT_NEAR(s.beta(500), 1e-4 + (0.02 - 1e-4) * 500 / 999, 1e-15);
  double product = 1;
  for (int t = 0; t < 1000; ++t) product *= 1 - s.beta(t);
  EXPECT_NEAR(s.alpha_bar(999), product, 1e-12);
  EXPECT_NEAR(s.alpha_bar(0), 1 - 1e-4, 1e-15);
  EXPECT_DOUBLE_EQ(s.alpha_bar(-1), 1.0);
  EXPECT_LT(s.alpha_bar(999), 1e-4);  // x_T is nearly pure noise
}

TEST(NoiseSchedule, CosineMatchesNicholDhariwal) {
  const int T = 1000;
  const double s = 0.008;
  NoiseSchedule sched = NoiseSchedule::cosine(T, s);
  auto f = [&](double t) { return std::pow(std::cos((t / T + s) / (1 + s) * M_PI / 2), 2); };
  for (int t : {0, 100, 500, 900})  // alpha_bar(t) = f(t + 1) / f(0) where beta is not clipped
    EXPECT_NEAR(sched.alpha_bar(t), f(t + 1) / f(0), 1e-9) << t;
  EXPECT_DOUBLE_EQ(sched.beta(T - 1), 0.999);  // the clip applies at the very end
}

TEST(NoiseSchedule, AddNoiseHasTheRightMoments) {
  NoiseSchedule s = NoiseSchedule::linear(1000, 1e-4, 0.02);
  torch::Tensor x0 = torch::full({200000, 1}, 0.5);
  torch::Tensor noise = torch::randn({200000, 1}, gen(1));
  torch::Tensor t = torch::full({200000}, 300, torch::kLong);
  torch::Tensor x_t = s.add_noise(x0, noise, t);
  const double a = s.alpha_bar(300);
  EXPECT_NEAR(x_t.mean().item<double>(), std::sqrt(a) * 0.5, 0.01);
  EXPECT_NEAR(x_t.var().item<double>(), 1 - a, 0.01);
  // Per-example timesteps: each row uses its own alpha_bar.
  torch::Tensor two = s.add_noise(torch::ones({2, 1}), torch::zeros({2, 1}), torch::tensor({0, 999}));
  EXPECT_NEAR(two[0].item<double>(), std::sqrt(s.alpha_bar(0)), 1e-6);
  EXPECT_NEAR(two[1].item<double>(), std::sqrt(s.alpha_bar(999)), 1e-6);
}

TEST(NoiseSchedule, RenoiseJumpsForwardWithTheRightMoments) {
  NoiseSchedule s = NoiseSchedule::linear(1000, 1e-4, 0.02);
  torch::Tensor x_s = torch::full({200000}, 0.7);
  torch::Tensor x_t = s.renoise(x_s, 200, 600, torch::randn({200000}, gen(8)));
  const double ratio = s.alpha_bar(600) / s.alpha_bar(200);
  EXPECT_NEAR(x_t.mean().item<double>(), std::sqrt(ratio) * 0.7, 0.01);
  EXPECT_NEAR(x_t.var().item<double>(), 1 - ratio, 0.01);
}

TEST(NoiseSchedule, EpsilonAndVPredictionsRecoverTheCleanImage) {
  NoiseSchedule s = NoiseSchedule::linear(100, 1e-3, 0.05);
  torch::Tensor x0 = torch::randn({4, 3}, gen(2)), noise = torch::randn({4, 3}, gen(3));
  torch::Tensor t = torch::full({4}, 60, torch::kLong);
  torch::Tensor x_t = s.add_noise(x0, noise, t);
  auto from_eps = s.interpret(noise, x_t, 60, "epsilon");
  auto from_v = s.interpret(s.velocity(x0, noise, t), x_t, 60, "v");
  EXPECT_TRUE(torch::allclose(from_eps.x0, x0, 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(from_v.x0, x0, 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(from_v.epsilon, noise, 1e-4, 1e-5));
}

TEST(NoiseSchedule, MinSnrWeightsMakeEveryLossAnX0ErrorCappedAtGamma) {
  // Whatever the network predicts, the weighted squared error of its prediction equals
  // min(SNR_t, gamma) times the squared error of the clean image it implies.
  NoiseSchedule s = NoiseSchedule::linear(1000, 1e-4, 0.02);
  const double gamma = 5;
  const auto f64 = torch::TensorOptions().dtype(torch::kDouble);
  torch::Tensor x0 = torch::randn({1, 6}, gen(4), f64), noise = torch::randn({1, 6}, gen(5), f64);
  torch::Tensor error = 0.1 * torch::randn({1, 6}, gen(6), f64);
  int low_snr = 0, high_snr = 0;
  for (int64_t step : {0, 40, 150, 400, 999}) {
    torch::Tensor t = torch::full({1}, step, torch::kLong);
    torch::Tensor x_t = s.add_noise(x0, noise, t);
    const double a = s.alpha_bar(step), snr = a / (1 - a);
    (snr > gamma ? high_snr : low_snr)++;
    for (std::string prediction : {"epsilon", "v"}) {
      torch::Tensor target = prediction == "v" ? s.velocity(x0, noise, t) : noise;
      torch::Tensor x0_error = s.interpret(target + error, x_t, step, prediction).x0 - x0;
      const double weight = s.min_snr_weights(t, gamma, prediction).item<double>();
      const double implied = std::min(snr, gamma) * x0_error.square().mean().item<double>();
      EXPECT_NEAR(weight * error.square().mean().item<double>(), implied, 1e-5 * implied) << prediction << " at t " << step;
    }
  }
  EXPECT_GT(low_snr, 0);  // both sides of the cap were exercised
  EXPECT_GT(high_snr, 0);
}

TEST(Samplers, DdpmStepMatchesHandComputedPosterior) {
  // T = 2, betas 0.1 and 0.5: alpha_bar = 0.9, 0.45. A fake network always answers eps = 0.5.
  NoiseSchedule s = NoiseSchedule::linear(2, 0.1, 0.5);
  DdpmSampler ddpm(s, "epsilon", std::nullopt);
  EXPECT_EQ(ddpm.timesteps(), (std::vector<int64_t>{1, 0}));
  torch::Tensor x_t = torch::ones({1});
  torch::Generator g = gen(7);
  SamplerStep step = ddpm.step(torch::full({1}, 0.5), 1, x_t, g);
  const double z = torch::randn({1}, gen(7), torch::kFloat).item<double>();  // the same draw
  // Golden values, computed by hand from Ho et al. eqs. 7 and 15.
  EXPECT_NEAR(step.pred_x0.item<double>(), 0.9379411866072932, 1e-6);
  EXPECT_NEAR(ddpm.noise_std(1), 0.3015113445777636, 1e-12);
  EXPECT_NEAR(step.prev_sample.item<double>(), 0.9374822677502987 + 0.3015113445777636 * z, 1e-6);
  EXPECT_DOUBLE_EQ(ddpm.noise_std(0), 0.0);  // the last step adds no noise
}

TEST(Samplers, DdimStepMatchesHandComputedUpdate) {
  NoiseSchedule s = NoiseSchedule::linear(2, 0.1, 0.5);
  DdimSampler ddim(s, "epsilon", std::nullopt, 0.0);
  torch::Generator g = gen(1);
  SamplerStep first = ddim.step(torch::full({1}, 0.5), 1, torch::ones({1}), g);
  EXPECT_NEAR(first.prev_sample.item<double>(), 1.0479230212964383, 1e-6);
  SamplerStep last = ddim.step(torch::full({1}, 0.5), 0, first.prev_sample, g);
  EXPECT_NEAR(last.prev_sample.item<double>(), 0.9379411866072932, 1e-6);  // x0 itself
  // With v prediction the same output means something else: x0 = sqrt(a) x_t - sqrt(1 - a) v.
  DdimSampler ddim_v(s, "v", std::nullopt, 0.0);
  EXPECT_NEAR(ddim_v.step(torch::full({1}, 0.5), 1, torch::ones({1}), g).pred_x0.item<double>(),
              0.30001046889515376, 1e-6);
  // Clipping bounds the predicted x0.
  DdimSampler clipped(s, "epsilon", 0.5, 0.0);
  EXPECT_NEAR(clipped.step(torch::full({1}, 0.5), 1, torch::ones({1}), g).pred_x0.item<double>(), 0.5, 1e-6);
}

TEST(Samplers, TimestepsAreEvenlySpacedAndValidated) {
  NoiseSchedule s = NoiseSchedule::linear(1000, 1e-4, 0.02);
  DdimSampler ddim(s, "epsilon", std::nullopt, 0.0);
  ddim.set_timesteps(5);
  EXPECT_EQ(ddim.timesteps(), (std::vector<int64_t>{999, 749, 500, 250, 0}));
  EXPECT_EQ(ddim.next_timestep(500), 250);
  EXPECT_EQ(ddim.next_timestep(0), -1);
  EXPECT_THROW(ddim.set_timesteps(1001), UserError);
  EXPECT_THROW(make_sampler("euler", s, "epsilon", std::nullopt, 0), UserError);
}

TEST(Samplers, DdimWithEtaOneHasDdpmVarianceAndSteps) {
  NoiseSchedule s = NoiseSchedule::linear(50, 1e-3, 0.1);
  DdpmSampler ddpm(s, "epsilon", std::nullopt);
  DdimSampler ddim(s, "epsilon", std::nullopt, 1.0);
  for (int64_t t = 0; t < 50; ++t) EXPECT_NEAR(ddim.noise_std(t), ddpm.noise_std(t), 1e-12) << t;
  torch::Tensor x = torch::randn({3, 4}, gen(5)), out = torch::randn({3, 4}, gen(6));
  torch::Generator g1 = gen(9), g2 = gen(9);
  EXPECT_TRUE(torch::allclose(ddpm.step(out, 30, x, g1).prev_sample, ddim.step(out, 30, x, g2).prev_sample, 1e-4, 1e-5));
}

TEST(Samplers, DdimWithEtaZeroIsDeterministicGivenTheStartingNoise) {
  torch::manual_seed(1);
  DiffusionModel model(toy_config(false), 10);
  DdimSampler ddim(model.schedule(), "epsilon", std::nullopt, 0.0);
  ddim.set_timesteps(10);
  torch::Tensor x_T = torch::randn({16, 2, 1, 1}, gen(3));
  torch::Tensor a = model.run_sampler(model.denoiser, ddim, x_T, {}, 1.0, gen(1), {}, nullptr);
  torch::Tensor b = model.run_sampler(model.denoiser, ddim, x_T, {}, 1.0, gen(2), {}, nullptr);
  EXPECT_TRUE(torch::equal(a, b));
  DdpmSampler ddpm(model.schedule(), "epsilon", std::nullopt);
  torch::Tensor c = model.run_sampler(model.denoiser, ddpm, x_T, {}, 1.0, gen(1), {}, nullptr);
  torch::Tensor d = model.run_sampler(model.denoiser, ddpm, x_T, {}, 1.0, gen(2), {}, nullptr);
  EXPECT_FALSE(torch::equal(c, d));  // DDPM draws fresh noise at each step
}

TEST(Guidance, ScaleOneIsConditionalAndZeroIsUnconditional) {
  torch::manual_seed(2);
  DiffusionModel model(toy_config(true), 10);
  torch::NoGradGuard no_grad;
  torch::Tensor x = torch::randn({6, 2, 1, 1}, gen(4));
  torch::Tensor labels = torch::tensor({0, 1, 2, 3, 4, 5});
  torch::Tensor t = torch::full({6}, 7, torch::kLong);
  torch::Tensor conditional = model.denoiser->forward(x, t, labels);
  torch::Tensor unconditional = model.denoiser->forward(x, t, torch::full({6}, model.null_label(), torch::kLong));
  EXPECT_FALSE(torch::allclose(conditional, unconditional));
  EXPECT_TRUE(torch::allclose(model.guided_output(model.denoiser, x, 7, labels, 1.0), conditional, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(model.guided_output(model.denoiser, x, 7, labels, 0.0), unconditional, 1e-5, 1e-6));
  torch::Tensor three = model.guided_output(model.denoiser, x, 7, labels, 3.0);
  EXPECT_TRUE(torch::allclose(three, unconditional + 3 * (conditional - unconditional), 1e-4, 1e-5));
}

TEST(Inpainting, KnownPixelsEqualTheInputAtTheEnd) {
  torch::manual_seed(3);
  DiffusionModel model(tiny_unet_config(), 10);
  torch::Tensor x0 = torch::rand({3, 1, 8, 8}, gen(1)) * 2 - 1;
  for (int64_t resample : {1, 3}) {
    Completion completion{x0, known_pixels("bottom", 8, 8), resample};
    DdimSampler ddim(model.schedule(), "epsilon", 1.0, 0.0);
    ddim.set_timesteps(5);
    torch::Tensor out = model.run_sampler(model.denoiser, ddim, torch::randn({3, 1, 8, 8}, gen(2)), {}, 1.0, gen(3),
                                          {}, &completion);
    EXPECT_TRUE(torch::equal(out * completion.known, x0 * completion.known)) << "resample " << resample;
    EXPECT_FALSE(torch::allclose(out * (1 - completion.known), x0 * (1 - completion.known)));  // generated
  }
  // With a single step there is nothing to jump back to: resampling must change nothing.
  auto one_step = [&](int64_t resample) {
    Completion completion{x0, known_pixels("bottom", 8, 8), resample};
    DdimSampler ddim(model.schedule(), "epsilon", 1.0, 0.0);
    ddim.set_timesteps(1);
    return model.run_sampler(model.denoiser, ddim, torch::randn({3, 1, 8, 8}, gen(2)), {}, 1.0, gen(3), {}, &completion);
  };
  EXPECT_TRUE(torch::equal(one_step(1), one_step(3)));
}

TEST(Denoiser, UNetKeepsTheImageShape) {
  for (auto [channels, size] : {std::pair<int64_t, int64_t>{1, 28}, {3, 32}}) {
    DiffusionConfig c;
    c.image_channels = channels;
    c.image_size = size;
    c.base_channels = 8;
    c.groups = 4;
    Denoiser net(c, 10);
    torch::Tensor x = torch::randn({2, channels, size, size});
    EXPECT_EQ(net->forward(x, torch::tensor({0, 999})).sizes(), x.sizes());
  }
}

TEST(Denoiser, TimestepEmbeddingIsSinusoidal) {
  torch::Tensor e = timestep_embedding(torch::tensor({0, 5}), 8);
  EXPECT_EQ(e.sizes(), (std::vector<int64_t>{2, 8}));
  EXPECT_TRUE(torch::allclose(e[0], torch::tensor({0.f, 0.f, 0.f, 0.f, 1.f, 1.f, 1.f, 1.f})));
  EXPECT_NEAR(e[1][0].item<double>(), std::sin(5.0), 1e-6);
  EXPECT_NEAR(e[1][4].item<double>(), std::cos(5.0), 1e-6);
}

// With data ~ N(0, s^2) the ideal network is known in closed form: E[eps | x_t] =
// x_t sqrt(1 - a) / (a s^2 + 1 - a). Driving the samplers with it over all T steps must give back
// std s (with fewer steps DDIM's discretisation shrinks it: 0.275 at 50 steps, by the same recursion).
TEST(Samplers, ExactScoreOfGaussianDataRecoversItsSpread) {
  const double s = 0.3;
  NoiseSchedule schedule = NoiseSchedule::linear(1000, 1e-4, 0.02);
  for (const std::string name : {"ddpm", "ddim"}) {
    SCOPED_TRACE(name);
    auto sampler = make_sampler(name, schedule, "epsilon", std::nullopt, 0.0);
    sampler->set_timesteps(1000);
    torch::Generator g = gen(1);
    torch::Tensor x = torch::randn({20000, 1}, g);
    for (int64_t t : sampler->timesteps()) {
      const double a = schedule.alpha_bar(t);
      torch::Tensor eps = x * std::sqrt(1 - a) / (a * s * s + 1 - a);
      x = sampler->step(eps, t, x, g).prev_sample;
    }
    EXPECT_NEAR(x.std().item<double>(), s, 0.01);
    EXPECT_NEAR(x.mean().item<double>(), 0.0, 0.02);
  }
}

// The EMA copy must start equal to the network, including the U-Net's blocks, which are plain
// modules that Cloneable::clone alone leaves freshly initialised.
TEST(Ema, CopyOfTheDenoiserStartsEqualToIt) {
  torch::manual_seed(4);
  Denoiser net(tiny_unet_config(), 10);
  auto copy = make_ema_copy(*net);
  auto original = net->named_parameters();
  auto copied = copy->named_parameters();
  ASSERT_EQ(original.size(), copied.size());
  for (const auto& item : original) {
    SCOPED_TRACE(item.key());
    EXPECT_TRUE(torch::equal(item.value(), copied[item.key()]));
    EXPECT_FALSE(copied[item.key()].requires_grad());
  }
  // A copy, not the same storage.
  torch::NoGradGuard no_grad;
  original.begin()->value().add_(1.0);
  EXPECT_FALSE(torch::equal(original.begin()->value(), copied[original.begin()->key()]));
}
