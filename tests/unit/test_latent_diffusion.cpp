// Latent diffusion: the denoiser works on the first stage's scaled latents, training leaves
// the first stage alone, and sampling decodes. A denoiser whose weights are all zero predicts
// no noise, so deterministic DDIM from x_T must end at x_T / sqrt(alpha_bar of its first step):
// that closed form, decoded, is what sample() must return.
#include <gtest/gtest.h>

#include "models/autoencoder/autoencoder_model.h"
#include "models/corruption.h"
#include "models/diffusion/diffusion_model.h"
#include "step_fixtures.h"

using namespace gencli;
using namespace gencli::diffusion;

namespace {

torch::Generator latent_gen(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

std::shared_ptr<autoencoder::AutoencoderModel> tiny_autoencoder() {
  autoencoder::AutoencoderConfig c;
  c.image_size = 16;
  c.base_channels = 8;
  c.channel_mult = {1, 2};
  c.groups = 4;
  c.latent_channels = 3;
  return std::make_shared<autoencoder::AutoencoderModel>(c, "tanh");
}

DiffusionConfig latent_config() {
  DiffusionConfig c;
  c.image_size = 16;  // the images'; the U-Net's input is the 3x8x8 latent
  c.base_channels = 8;
  c.channel_mult = {1, 2};
  c.groups = 4;
  c.timesteps = 40;
  return c;
}

torch::Tensor latent_test_images(int64_t n, uint64_t seed) {
  return torch::rand({n, 1, 16, 16}, latent_gen(seed)) * 2 - 1;
}

}  // namespace

TEST(LatentDiffusion, DenoisesLatentsAndSamplesImages) {
  torch::manual_seed(1);
  auto first_stage = tiny_autoencoder();
  DiffusionModel model(latent_config(), 10, first_stage);
  EXPECT_TRUE(model.latent());
  EXPECT_EQ(model.diffusion_shape(), (std::vector<int64_t>{3, 8, 8}));

  torch::Tensor x = latent_test_images(4, 2);
  torch::Tensor z = model.to_diffusion_space(x);
  EXPECT_TRUE(torch::allclose(z, first_stage->encode(x).mean * first_stage->latent_scale()));
  EXPECT_TRUE(torch::allclose(model.to_images(z), first_stage->reconstruct(x), 1e-5, 1e-6));

  SampleRequest request;
  request.num = 2;
  request.sampler = "ddim";
  request.steps = 3;
  request.generator = latent_gen(5);
  torch::Tensor out = model.sample(request);
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 1, 16, 16}));
  EXPECT_LE(out.max().item<double>(), 1.0);
  EXPECT_GE(out.min().item<double>(), -1.0);
}

TEST(LatentDiffusion, ZeroDenoiserSamplesMatchTheClosedForm) {
  torch::manual_seed(2);
  auto first_stage = tiny_autoencoder();
  DiffusionModel model(latent_config(), 10, first_stage);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model.denoiser->parameters()) p.zero_();
  }
  SampleRequest request;
  request.num = 3;
  request.sampler = "ddim";
  request.steps = 4;
  request.generator = latent_gen(7);
  const int64_t first_step = model.make_request_sampler(request)->timesteps().front();
  torch::Tensor out = model.sample(request);

  // eps = 0: each DDIM step maps x_t to sqrt(a_prev / a_t) x_t, which telescopes to x_T / sqrt(a_first).
  torch::Tensor x_T = torch::randn({3, 3, 8, 8}, latent_gen(7));
  torch::Tensor expected = model.to_images(x_T / std::sqrt(model.schedule().alpha_bar(first_step)));
  EXPECT_TRUE(torch::allclose(out, expected, 1e-4, 1e-5)) << (out - expected).abs().max().item<double>();
  // Pixel space would clamp the predicted x0 to [-1, 1]; scaled latents are unbounded and must not be.
  EXPECT_GT((x_T / std::sqrt(model.schedule().alpha_bar(first_step))).abs().max().item<double>(), 1.0);
}

TEST(LatentDiffusion, TrainingLeavesTheFirstStageAlone) {
  torch::manual_seed(3);
  auto first_stage = tiny_autoencoder();
  DiffusionModel model(latent_config(), 10, first_stage);
  std::vector<torch::Tensor> before_ae, before_denoiser;
  for (const auto& p : first_stage->parameters()) before_ae.push_back(p.detach().clone());
  for (const auto& p : model.denoiser->parameters()) before_denoiser.push_back(p.detach().clone());

  ASSERT_EQ(model.optimized_parts().size(), 1u);
  EXPECT_EQ(model.optimized_parts()[0].parameters.size(), before_denoiser.size());
  fixtures::TensorBatches batches(Batch{latent_test_images(16, 4), torch::zeros({16}, torch::kLong)}, 4);
  fixtures::AdamFor adam(model.optimized_parts()[0].parameters);
  fixtures::train_steps(model, batches, adam, 3);

  auto ae = first_stage->parameters();
  for (size_t i = 0; i < ae.size(); ++i) {
    EXPECT_TRUE(torch::equal(ae[i], before_ae[i]));
    EXPECT_FALSE(ae[i].grad().defined()) << "a gradient reached the frozen first stage";
  }
  auto denoiser = model.denoiser->parameters();
  bool changed = false;
  for (size_t i = 0; i < denoiser.size(); ++i) changed = changed || !torch::equal(denoiser[i], before_denoiser[i]);
  EXPECT_TRUE(changed);
  // The checkpoint carries the first stage: its weights are named in the model's state.
  bool named = false;
  for (const auto& p : model.named_parameters()) named = named || p.key().rfind("first_stage.", 0) == 0;
  EXPECT_TRUE(named);
}

TEST(LatentDiffusion, InpaintingKeepsTheKnownPixels) {
  torch::manual_seed(4);
  DiffusionModel model(latent_config(), 10, tiny_autoencoder());
  Batch test{latent_test_images(6, 8), torch::zeros({6}, torch::kLong)};
  ModeRequest r;
  r.mode = "inpaint";
  r.corrupt = "mask:right";
  r.nrow = 3;
  r.test_split = test;
  r.sampling.num = 3;
  r.sampling.sampler = "ddim";
  r.sampling.steps = 3;
  r.sampling.generator = latent_gen(9);
  ModeResult result = model.sample_mode(r);
  // Rows: masked, completed, original (3 images each); the completed row keeps the left half.
  ASSERT_EQ(result.images.size(0), 9);
  torch::Tensor completed = result.images.slice(0, 3, 6), original = result.images.slice(0, 6, 9);
  torch::Tensor known = known_pixels("right", 16, 16);
  EXPECT_TRUE(torch::equal(completed * known, original * known));
  EXPECT_FALSE(torch::allclose(completed * (1 - known), original * (1 - known)));
}
