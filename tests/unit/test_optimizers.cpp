#include <gtest/gtest.h>

#include "train/fused_adam.h"
#include "train/lamb.h"
#include "train/optimizers.h"

using namespace gencli;

namespace {

// One parameter tensor with a fixed gradient per step.
torch::Tensor step_with(torch::optim::Optimizer& opt, torch::Tensor& w, std::vector<float> grad) {
  w.mutable_grad() = torch::tensor(grad);
  opt.step();
  return w;
}

OptimConfig optim(const std::string& name, double lr) {
  OptimConfig c;
  c.name = name;
  c.lr = lr;
  return c;
}

}  // namespace

TEST(Lamb, MatchesHandComputedSteps) {
  // Reference computed by hand in double precision from You et al. 2019, Algorithm 2.
  torch::Tensor w = torch::tensor({1.0f, 2.0f}).requires_grad_(true);
  Lamb opt({w}, LambOptions(0.1).beta1(0.9).beta2(0.999).eps(1e-6).weight_decay(0.01));
  step_with(opt, w, {0.1f, -0.2f});
  EXPECT_NEAR(w[0].item<double>(), 0.839521099, 1e-6);
  EXPECT_NEAR(w[1].item<double>(), 2.155712948, 1e-6);
  step_with(opt, w, {-0.3f, 0.05f});
  EXPECT_NEAR(w[0].item<double>(), 1.009601712, 1e-5);
  EXPECT_NEAR(w[1].item<double>(), 2.312529800, 1e-5);
}

TEST(Lamb, StateSurvivesSaveAndLoad) {
  torch::Tensor a = torch::tensor({1.0f, 2.0f}).requires_grad_(true);
  torch::Tensor b = a.detach().clone().requires_grad_(true);
  Lamb first({a}, LambOptions(0.1).weight_decay(0.01));
  step_with(first, a, {0.1f, -0.2f});
  torch::serialize::OutputArchive out;
  first.save(out);
  std::stringstream buffer;
  out.save_to(buffer);

  {
    torch::NoGradGuard no_grad;
    b.copy_(a);
  }
  Lamb second({b}, LambOptions(0.1).weight_decay(0.01));
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  second.load(in);
  step_with(first, a, {-0.3f, 0.05f});
  step_with(second, b, {-0.3f, 0.05f});
  EXPECT_TRUE(torch::equal(a, b));
}

TEST(Optimizers, AdamFirstStepMovesByLr) {
  // With bias correction, Adam's first step is lr * g / (|g| + eps) = lr * sign(g).
  torch::Tensor w = torch::tensor({1.0f, -1.0f}).requires_grad_(true);
  auto opt = make_optimizer(optim("adam", 0.1), {w});
  step_with(*opt, w, {0.5f, -2.0f});
  EXPECT_NEAR(w[0].item<double>(), 0.9, 1e-6);
  EXPECT_NEAR(w[1].item<double>(), -0.9, 1e-6);
}

TEST(Optimizers, SgdMomentumAccumulates) {
  OptimConfig c = optim("sgd", 0.1);
  c.momentum = 0.9;
  torch::Tensor w = torch::tensor({1.0f}).requires_grad_(true);
  auto opt = make_optimizer(c, {w});
  step_with(*opt, w, {1.0f});  // buffer 1 -> w = 0.9
  EXPECT_NEAR(w.item<double>(), 0.9, 1e-6);
  step_with(*opt, w, {1.0f});  // buffer 0.9 + 1 = 1.9 -> w = 0.71
  EXPECT_NEAR(w.item<double>(), 0.71, 1e-6);
}

TEST(Optimizers, RmspropFirstStep) {
  // v = (1 - 0.99) * 0.5^2 = 0.0025; w -= 0.1 * 0.5 / sqrt(0.0025) = 1.0
  torch::Tensor w = torch::tensor({1.0f}).requires_grad_(true);
  auto opt = make_optimizer(optim("rmsprop", 0.1), {w});
  step_with(*opt, w, {0.5f});
  EXPECT_NEAR(w.item<double>(), 0.0, 1e-5);
}

TEST(Optimizers, AdamwDecaysWeightsDecoupled) {
  // AdamW: w -= lr * wd * w, then the Adam step (lr * sign(g) on the first step).
  OptimConfig c = optim("adamw", 0.1);
  c.weight_decay = 0.5;
  torch::Tensor w = torch::tensor({2.0f}).requires_grad_(true);
  auto opt = make_optimizer(c, {w});
  step_with(*opt, w, {1.0f});
  EXPECT_NEAR(w.item<double>(), 2.0 * (1 - 0.1 * 0.5) - 0.1, 1e-6);
}

TEST(Schedule, ConstantAndWarmupCosine) {
  OptimConfig c = optim("adam", 1.0);
  EXPECT_DOUBLE_EQ(learning_rate_at(c, 57, 100), 1.0);
  c.schedule = "warmup_cosine";
  c.warmup_steps = 10;
  c.min_lr_ratio = 0.1;
  EXPECT_NEAR(learning_rate_at(c, 0, 110), 0.1, 1e-12);    // 1/10 of the way up
  EXPECT_NEAR(learning_rate_at(c, 9, 110), 1.0, 1e-12);    // top of the warm-up
  EXPECT_NEAR(learning_rate_at(c, 10, 110), 1.0, 1e-12);   // cosine starts at the peak
  EXPECT_NEAR(learning_rate_at(c, 60, 110), 0.55, 1e-12);  // halfway: floor + (1 - floor) / 2
  EXPECT_NEAR(learning_rate_at(c, 110, 110), 0.1, 1e-12);  // the floor
  c.decay_steps = 210;                                       // a fixed horizon ignores total_steps
  EXPECT_NEAR(learning_rate_at(c, 110, 110), 0.55, 1e-12);
}

TEST(Schedule, SetLearningRateReachesEveryGroup) {
  torch::Tensor w = torch::ones({1}).requires_grad_(true);
  for (const char* name : {"adam", "adamw", "rmsprop", "sgd", "lamb"}) {
    auto opt = make_optimizer(optim(name, 0.1), {w});
    set_learning_rate(*opt, 0.025);
    EXPECT_DOUBLE_EQ(opt->param_groups()[0].options().get_lr(), 0.025) << name;
  }
}

TEST(FusedAdam, MatchesLibTorchAdamAndSharesItsState) {
  // Same start, same gradients: the fused pass must track LibTorch's Adam closely,
  // with L2 weight decay, and its saved state must load into LibTorch's Adam.
  torch::manual_seed(3);
  torch::Tensor a = torch::randn({257, 31}).requires_grad_(true);
  torch::Tensor b = a.detach().clone().requires_grad_(true);
  auto options = torch::optim::AdamOptions(1e-2).betas(std::make_tuple(0.5, 0.999)).weight_decay(0.01);
  FusedAdam fused({a}, options);
  torch::optim::Adam reference({b}, options);
  for (int i = 0; i < 20; ++i) {
    torch::Tensor g = torch::randn({257, 31});
    a.mutable_grad() = g.clone();
    b.mutable_grad() = g.clone();
    fused.step();
    reference.step();
  }
  EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-6)) << (a - b).abs().max().item<double>();
  EXPECT_FALSE(torch::equal(a, a.detach().clone().fill_(0)));  // it did move

  torch::serialize::OutputArchive out;
  fused.save(out);
  std::stringstream buffer;
  out.save_to(buffer);
  torch::Tensor c = a.detach().clone().requires_grad_(true);
  torch::optim::Adam restored({c}, options);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  restored.load(in);
  torch::Tensor g = torch::randn({257, 31});
  a.mutable_grad() = g.clone();
  c.mutable_grad() = g.clone();
  fused.step();
  restored.step();
  EXPECT_TRUE(torch::allclose(a, c, 1e-5, 1e-6));
}

TEST(FusedAdam, AdamWMatchesLibTorchAdamWAndSharesItsState) {
  // Decoupled weight decay: the parameter shrinks by 1 - lr * decay before the update.
  torch::manual_seed(4);
  torch::Tensor a = torch::randn({129, 17}).requires_grad_(true);
  torch::Tensor b = a.detach().clone().requires_grad_(true);
  torch::Tensor c = a.detach().clone().requires_grad_(true);
  auto options = torch::optim::AdamWOptions(1e-2).betas(std::make_tuple(0.9, 0.99)).weight_decay(0.1);
  FusedAdamW fused({a}, options);
  torch::optim::AdamW reference({b}, options);
  torch::optim::AdamW without_decay({c}, torch::optim::AdamWOptions(options).weight_decay(0));
  for (int i = 0; i < 20; ++i) {
    torch::Tensor g = torch::randn({129, 17});
    a.mutable_grad() = g.clone();
    b.mutable_grad() = g.clone();
    c.mutable_grad() = g.clone();
    fused.step();
    reference.step();
    without_decay.step();
  }
  EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-6)) << (a - b).abs().max().item<double>();
  EXPECT_FALSE(torch::allclose(a, c, 1e-5, 1e-6));  // the decay was applied

  torch::serialize::OutputArchive out;
  fused.save(out);
  std::stringstream buffer;
  out.save_to(buffer);
  torch::Tensor d = a.detach().clone().requires_grad_(true);
  torch::optim::AdamW restored({d}, options);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  restored.load(in);
  torch::Tensor g = torch::randn({129, 17});
  a.mutable_grad() = g.clone();
  d.mutable_grad() = g.clone();
  fused.step();
  restored.step();
  EXPECT_TRUE(torch::allclose(a, d, 1e-5, 1e-6));
}

TEST(FusedAdam, AdamWIsWhatTheConfigBuilds) {
  torch::Tensor w = torch::ones({3}).requires_grad_(true);
  EXPECT_NE(dynamic_cast<FusedAdamW*>(make_optimizer(optim("adamw", 0.1), {w}).get()), nullptr);
  EXPECT_NE(dynamic_cast<FusedAdam*>(make_optimizer(optim("adam", 0.1), {w}).get()), nullptr);
}
