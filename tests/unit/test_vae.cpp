// The VAE family: its probability formulas against closed forms and hand-made cases, the
// importance-weighted bound, and the sample modes on a VAE trained here on a toy set.
#include <gtest/gtest.h>

#include <cmath>

#include "core/errors.h"
#include "models/corruption.h"
#include "models/sampling.h"
#include "models/vae/vae_math.h"
#include "models/vae/vae_model.h"
#include "step_fixtures.h"

using namespace gencli;
using namespace gencli::vae;
using gencli::fixtures::AdamFor;
using gencli::fixtures::TensorBatches;

namespace {

// 8x8 binary images, each one full horizontal or vertical bar: 16 patterns, easy to learn.
Batch bar_images(int64_t n, uint64_t seed) {
  torch::Generator g = at::detail::createCPUGenerator(seed);
  torch::Tensor which = torch::randint(16, {n}, g, torch::kLong);
  torch::Tensor images = torch::zeros({n, 1, 8, 8});
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = which[i].item<int64_t>();
    if (k < 8)
      images[i][0][k].fill_(1);
    else
      images[i][0].select(1, k - 8).fill_(1);
  }
  return {images, which.remainder(10)};
}

VaeConfig tiny_config() {
  VaeConfig c;
  c.image_size = 8;
  c.latent_dim = 4;
  c.hidden = {64};
  return c;
}

// Trains a tiny VAE on the bars; returns the model and the neg-ELBO of the first and last steps.
struct Trained {
  std::shared_ptr<VaeModel> model;
  double first_recon = 0, last_recon = 0;
};

const Trained& trained_vae() {
  static const Trained trained = [] {
    torch::manual_seed(3);
    Trained t;
    t.model = std::make_shared<VaeModel>(tiny_config(), 10);
    TensorBatches batches(bar_images(2048, 1), 32);
    AdamFor optim(t.model->optimized_parts().front().parameters);
    StepContext ctx;
    ctx.batches = &batches;
    ctx.optimizers = &optim;
    for (int64_t step = 0; step < 600; ++step) {
      ctx.step = step;
      StepMetrics m = t.model->train_step(ctx);
      if (step == 0) t.first_recon = m[2].second;
      t.last_recon = m[2].second;
    }
    t.model->eval();
    return t;
  }();
  return trained;
}

torch::Generator gen_for_test(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

double mean_bound(VaeModel& model, const Batch& test, int64_t k, uint64_t seed) {
  torch::NoGradGuard no_grad;
  torch::Generator g = at::detail::createCPUGenerator(seed);
  Posterior q = model.encode(test.images, {});
  return iwae_bound(model.log_weights(test.images, {}, q, k, g).first).mean().item<double>();
}

}  // namespace

TEST(VaeMath, KlClosedFormMatchesMonteCarlo) {
  torch::Generator g = at::detail::createCPUGenerator(5);
  torch::Tensor mu = torch::tensor({{0.5, -1.0, 2.0}});
  torch::Tensor logvar = torch::tensor({{0.0, -1.5, 0.7}});
  const double closed = gaussian_kl(mu, logvar).sum().item<double>();
  torch::Tensor z = mu + (0.5 * logvar).exp() * torch::randn({200000, 3}, g);
  torch::Tensor log_ratio = log_normal(z, mu, logvar) - log_standard_normal(z);  // KL = E_q[log q - log p]
  const double mc = log_ratio.mean().item<double>();
  const double stderr_ = (log_ratio.std().item<double>() / std::sqrt(200000.0));
  EXPECT_NEAR(mc, closed, 4 * stderr_) << "closed form " << closed << ", Monte Carlo " << mc;
  EXPECT_GT(closed, 0.5);  // not a degenerate case
}

TEST(VaeMath, ElboOnAHandMadeCase) {
  // x = (1, 0) under logits (0, 0): each pixel has probability 1/2, so log p(x|z) = -2 ln 2.
  torch::Tensor x = torch::tensor({1.0f, 0.0f}).view({1, 1, 1, 2});
  EXPECT_NEAR(bernoulli_log_likelihood(x, torch::zeros({1, 1, 1, 2})).item<double>(), -2 * std::log(2.0), 1e-6);
  // q = N(1, 4) against N(0, 1): 0.5 (1 + 4 - 1 - ln 4) = 2 - ln 2.
  const double kl = gaussian_kl(torch::tensor({{1.0}}), torch::tensor({{std::log(4.0)}})).sum().item<double>();
  EXPECT_NEAR(kl, 2 - std::log(2.0), 1e-6);
  // Gaussian decoder, mean on the data, sigma 1: -0.5 ln(2 pi) per pixel.
  EXPECT_NEAR(gaussian_log_likelihood(x, x, torch::zeros({1})).item<double>(), -std::log(2 * M_PI), 1e-5);
  // log N(z; mu, sigma^2) at z = mu with sigma = 2: -0.5 ln(2 pi) - ln 2.
  EXPECT_NEAR(log_normal(torch::tensor({{1.0}}), torch::tensor({{1.0}}), torch::tensor({{std::log(4.0)}})).item<double>(),
              -0.5 * std::log(2 * M_PI) - std::log(2.0), 1e-6);
}

TEST(VaeMath, ActiveUnitsCountsVaryingMeans) {
  torch::Tensor mu = torch::zeros({100, 3});
  mu.select(1, 0).copy_(torch::linspace(-1, 1, 100));     // variance ~0.34: active
  mu.select(1, 1).copy_(torch::linspace(-0.1, 0.1, 100));  // variance ~0.003: inactive
  EXPECT_EQ(count_active_units(mu), 1);
}

TEST(VaeMath, BinarizeAndDequantizeStayInRange) {
  torch::Generator g = at::detail::createCPUGenerator(1);
  torch::Tensor x = torch::rand({1000}, g);
  torch::Tensor b = binarize(x, g);
  EXPECT_TRUE(((b == 0) | (b == 1)).all().item<bool>());
  EXPECT_NEAR(b.mean().item<double>(), x.mean().item<double>(), 0.05);
  torch::Tensor q = torch::round(x * 255) / 255;
  torch::Tensor d = dequantize(q, g);
  EXPECT_TRUE((d >= q * 255 / 256).all().item<bool>());
  EXPECT_TRUE((d < (q * 255 + 1) / 256).all().item<bool>());
}

TEST(VaeModel, IwaeWithOneSampleIsTheElboEstimate) {
  torch::manual_seed(1);
  VaeModel model(tiny_config(), 10);
  torch::NoGradGuard no_grad;
  Batch test = bar_images(16, 9);
  Posterior q = model.encode(test.images, {});
  torch::Generator g = at::detail::createCPUGenerator(4);
  auto [lw, ll] = model.log_weights(test.images, {}, q, 1, g);
  // One sample: the bound is that sample's log p(x,z) - log q(z|x), the one-sample ELBO estimate.
  EXPECT_TRUE(torch::allclose(iwae_bound(lw), lw[0]));
  // Its average over many draws is the ELBO with the KL in closed form.
  auto [many, many_ll] = model.log_weights(test.images, {}, q, 4000, g);
  torch::Tensor elbo = -(-many_ll.mean(0) + gaussian_kl(q.mu, q.logvar).sum(1));
  torch::Tensor mc = many.mean(0);
  torch::Tensor tolerance = 4 * many.std(0) / std::sqrt(4000.0) + 1e-3;
  EXPECT_TRUE(((mc - elbo).abs() < tolerance).all().item<bool>()) << mc << elbo;
}

// log_weights pairs each sample z with its own image and label: recompute them by hand from the
// same noise for a conditional model.
TEST(VaeModel, LogWeightsPairImagesLabelsAndSamples) {
  VaeConfig c = tiny_config();
  c.conditional = true;
  torch::manual_seed(6);
  VaeModel model(c, 10);
  torch::NoGradGuard no_grad;
  Batch x = bar_images(5, 12);
  Posterior q = model.encode(x.images, x.labels);
  auto [lw, ll] = model.log_weights(x.images, x.labels, q, 3, gen_for_test(21));
  torch::Tensor eps = torch::randn({3, 5, c.latent_dim}, gen_for_test(21));  // the same draw
  for (int64_t i = 0; i < 3; ++i) {
    torch::Tensor z = q.mu + (0.5 * q.logvar).exp() * eps[i];
    torch::Tensor expected_ll = model.log_likelihood(x.images, model.decode(z, x.labels));
    torch::Tensor expected_lw = expected_ll + log_standard_normal(z) - log_normal(z, q.mu, q.logvar);
    EXPECT_TRUE(torch::allclose(ll[i], expected_ll, 1e-4, 1e-4)) << i;
    EXPECT_TRUE(torch::allclose(lw[i], expected_lw, 1e-4, 1e-4)) << i;
  }
}

TEST(VaeModel, TrainingReducesReconstructionError) {
  const Trained& t = trained_vae();
  EXPECT_LT(t.last_recon, 0.5 * t.first_recon) << "first " << t.first_recon << ", last " << t.last_recon;
}

TEST(VaeModel, IwaeGrowsTighterWithMoreSamples) {
  const Trained& t = trained_vae();
  Batch test = bar_images(256, 77);
  torch::NoGradGuard no_grad;
  Posterior q = t.model->encode(test.images, {});
  torch::Generator g = at::detail::createCPUGenerator(11);
  auto [lw, ll] = t.model->log_weights(test.images, {}, q, 1, g);
  const double elbo = (ll[0] - gaussian_kl(q.mu, q.logvar).sum(1)).mean().item<double>();
  const double k1 = mean_bound(*t.model, test, 1, 21);
  const double k10 = mean_bound(*t.model, test, 10, 22);
  const double k100 = mean_bound(*t.model, test, 100, 23);
  EXPECT_GT(k10, k1);
  EXPECT_GT(k100, k10);
  EXPECT_GT(k100, elbo);
  EXPECT_LT(k100, 0);  // a log-probability of binary images
}

TEST(VaeModel, InterpolationRowsStartAndEndAtTheReconstructions) {
  const Trained& t = trained_vae();
  torch::NoGradGuard no_grad;
  Batch a = bar_images(3, 31), b = bar_images(3, 32);
  torch::Tensor rows = t.model->interpolate(a, b, 7).view({3, 7, 1, 8, 8});
  EXPECT_TRUE(torch::allclose(rows.select(1, 0), t.model->reconstruct(a.images, {}), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(rows.select(1, 6), t.model->reconstruct(b.images, {}), 1e-5, 1e-6));
  EXPECT_FALSE(torch::allclose(rows.select(1, 3), rows.select(1, 0)));
}

TEST(VaeModel, RestoreRepairsNoiseAndMasks) {
  const Trained& t = trained_vae();
  torch::NoGradGuard no_grad;
  Batch x = bar_images(64, 41);
  torch::Generator g = at::detail::createCPUGenerator(2);
  for (const std::string spec : {"noise:0.5", "mask:bottom", "mask:right"}) {
    SCOPED_TRACE(spec);
    Corruption c = parse_corruption(spec);
    torch::Tensor damaged = corrupt(x.images, c, g);
    torch::Tensor known = c.kind == Corruption::Kind::Mask ? known_pixels(c.region, 8, 8) : torch::Tensor();
    torch::Tensor repaired = t.model->restore(damaged, known, {});
    EXPECT_EQ(repaired.sizes(), x.images.sizes());
    const double before = psnr(damaged, x.images).mean().item<double>();
    const double after = psnr(repaired, x.images).mean().item<double>();
    EXPECT_GT(after, before + 1.0) << "PSNR corrupted " << before << " dB, restored " << after << " dB";
    if (known.defined())  // the visible pixels are kept as they were
      EXPECT_TRUE(torch::equal(repaired * known, damaged * known));
  }
}

TEST(VaeModel, SampleModesLayOutTheirGrids) {
  const Trained& t = trained_vae();
  Batch test = bar_images(40, 51);
  ModeRequest r;
  r.test_split = test;
  r.sampling.generator = at::detail::createCPUGenerator(1);
  r.sampling.num = 12;
  r.nrow = 4;
  r.mode = "reconstruct";
  ModeResult rec = t.model->sample_mode(r);
  EXPECT_EQ(rec.images.size(0), 24);  // 3 rows of originals + 3 of reconstructions
  r.mode = "restore";
  r.corrupt = "mask:top";
  r.sampling.generator = at::detail::createCPUGenerator(1);
  ModeResult res = t.model->sample_mode(r);
  EXPECT_EQ(res.images.size(0), 36);
  ASSERT_EQ(res.report.size(), 2u);
  EXPECT_GT(res.report[1].second, res.report[0].second);  // restored beats corrupted
  // The third row of each group holds the originals, the same test images the seed picks.
  Batch picked = pick_examples(test, 12, at::detail::createCPUGenerator(1));
  EXPECT_TRUE(torch::equal(res.images.slice(0, 8, 12), picked.images.slice(0, 0, 4)));
  r.mode = "interpolate";
  r.pairs = 2;
  r.sampling.steps = 5;
  ModeResult walk = t.model->sample_mode(r);
  EXPECT_EQ(walk.images.size(0), 14);
  EXPECT_EQ(walk.nrow, 7);
  r.mode = "manifold";
  EXPECT_THROW(t.model->sample_mode(r), UserError);  // latent_dim is 4, not 2
  r.mode = "nonsense";
  EXPECT_THROW(t.model->sample_mode(r), UserError);
}

TEST(VaeModel, ManifoldDecodesAGridOverTheLatentPlane) {
  VaeConfig c = tiny_config();
  c.latent_dim = 2;
  VaeModel model(c, 10);
  ModeRequest r;
  r.mode = "manifold";
  r.sampling.steps = 6;
  r.sampling.generator = at::detail::createCPUGenerator(1);
  ModeResult grid = model.sample_mode(r);
  EXPECT_EQ(grid.images.sizes(), (std::vector<int64_t>{36, 1, 8, 8}));
  EXPECT_EQ(grid.nrow, 6);
}

TEST(VaeModel, ConvAndConditionalVariantsRunAStep) {
  for (const bool conditional : {false, true}) {
    VaeConfig c = tiny_config();
    c.arch = "conv";
    c.conv_channels = {4, 8};
    c.conditional = conditional;
    c.likelihood = conditional ? "gaussian" : "bernoulli";
    c.free_bits = 0.1;
    c.kl_warmup_steps = 10;
    VaeModel model(c, 10);
    TensorBatches batches(bar_images(64, 3), 16);
    AdamFor optim(model.optimized_parts().front().parameters);
    StepContext ctx;
    ctx.batches = &batches;
    ctx.optimizers = &optim;
    StepMetrics m = model.train_step(ctx);
    for (const auto& [name, value] : m) EXPECT_TRUE(std::isfinite(value)) << name;
    EXPECT_DOUBLE_EQ(m[4].second, 0.1);  // beta at step 0 of a 10-step warm-up
    SampleRequest request;
    request.num = 5;
    request.generator = at::detail::createCPUGenerator(1);
    if (conditional) request.labels = torch::full({5}, 3, torch::kLong);
    torch::Tensor images = model.sample(request);
    EXPECT_EQ(images.sizes(), (std::vector<int64_t>{5, 1, 8, 8}));
    EXPECT_TRUE((images >= 0).all().item<bool>() && (images <= 1).all().item<bool>());
  }
}
