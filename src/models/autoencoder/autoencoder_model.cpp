#include "models/autoencoder/autoencoder_model.h"

#include <cmath>

#include "core/errors.h"
#include "models/sampling.h"

namespace gencli::autoencoder {

namespace {

Capabilities autoencoder_capabilities() {
  Capabilities c;
  c.modes = {{"reconstruct", "test images (odd rows) above their reconstructions (even rows), with PSNR", true}};
  return c;
}

}  // namespace

AutoencoderModel::AutoencoderModel(AutoencoderConfig config, std::string data_range)
    : Model(autoencoder_capabilities()), config_(std::move(config)), data_range_(std::move(data_range)) {
  encoder = register_module("encoder", LatentEncoder(config_));
  decoder = register_module("decoder", LatentDecoder(config_));
  running_mean_ = register_buffer("latent_running_mean", torch::zeros({config_.latent_channels}));
  running_var_ = register_buffer("latent_running_var", torch::ones({config_.latent_channels}));
  batches_seen_ = register_buffer("latent_batches_seen", torch::zeros({1}, torch::kLong));
}

std::vector<OptimizedPart> AutoencoderModel::optimized_parts() { return {{"autoencoder", parameters()}}; }

LatentPosterior AutoencoderModel::encode(const torch::Tensor& images) {
  auto [mean, logvar] = encoder->forward(images);
  return {mean, logvar};
}

torch::Tensor AutoencoderModel::decode(const torch::Tensor& latents) { return decoder->forward(latents); }

torch::Tensor AutoencoderModel::clamp_to_range(const torch::Tensor& images) const {
  return images.clamp(data_range_ == "tanh" ? -1.0 : 0.0, 1.0);
}

torch::Tensor AutoencoderModel::reconstruct(const torch::Tensor& images) {
  return clamp_to_range(decode(encode(images).mean));
}

torch::Tensor AutoencoderModel::reconstruction_loss(const torch::Tensor& decoded, const torch::Tensor& images) const {
  torch::Tensor error = decoded - images;
  return (config_.reconstruction == "l1" ? error.abs() : error.square()).flatten(1).sum(1);
}

torch::Tensor AutoencoderModel::psnr_db(const torch::Tensor& decoded, const torch::Tensor& images) const {
  // In [0, 1] whatever the data range, so figures compare across configs.
  const double span = data_range_ == "tanh" ? 2.0 : 1.0;
  torch::Tensor mse = ((clamp_to_range(decoded) - images) / span).square().flatten(1).mean(1).clamp_min(1e-10);
  return -10 * torch::log10(mse);
}

void AutoencoderModel::track_latent_statistics(const torch::Tensor& latents) {
  torch::NoGradGuard no_grad;
  torch::Tensor per_channel = latents.detach().transpose(0, 1).flatten(1);  // (C, B*h*w)
  torch::Tensor mean = per_channel.mean(1), var = per_channel.var(1);
  if (batches_seen_.item<int64_t>() == 0) {
    running_mean_.copy_(mean);
    running_var_.copy_(var);
  } else {
    const double m = config_.scale_momentum;
    running_mean_.mul_(m).add_(mean, 1 - m);
    running_var_.mul_(m).add_(var, 1 - m);
  }
  batches_seen_.add_(1);
}

double AutoencoderModel::latent_scale() const {
  if (batches_seen_.item<int64_t>() == 0) return 1.0;
  // The variance of all latent values together: the channels' own plus the spread of their means.
  const double variance = (running_var_.mean() + running_mean_.var(false)).item<double>();
  return 1.0 / std::sqrt(std::max(variance, 1e-12));
}

StepMetrics AutoencoderModel::train_step(StepContext& ctx) {
  Batch batch = ctx.batches->next();
  check_image_shape(batch.images, config_.image_channels, config_.image_size);
  const torch::Tensor& x = batch.images;
  LatentPosterior q = encode(x);
  torch::Tensor z = q.mean + (0.5 * q.logvar).exp() * ctx.random.normal_like(q.mean);
  torch::Tensor decoded = decode(z);
  torch::Tensor recon = reconstruction_loss(decoded, x);  // (B)
  torch::Tensor kl = 0.5 * (q.mean.square() + q.logvar.exp() - 1 - q.logvar).flatten(1).sum(1);
  torch::Tensor loss = recon.mean() + config_.kl_weight * kl.mean();
  ctx.optimizers->zero_grad("autoencoder");
  ctx.optimizers->backward(loss);
  ctx.optimizers->update("autoencoder");
  track_latent_statistics(z);
  const double pixels = static_cast<double>(x[0].numel());
  return {{"loss", loss.item<double>()},
          {"recon_per_pixel", recon.mean().item<double>() / pixels},
          {"kl", kl.mean().item<double>()},
          {"psnr_db", psnr_db(decoded.detach(), x).mean().item<double>()},
          {"latent_scale", latent_scale()}};
}

torch::Tensor AutoencoderModel::sample(const SampleRequest& request) {
  torch::NoGradGuard no_grad;
  // The KL term is weak, so decoded prior draws are textures, not images: the first stage is
  // for encoding and decoding, and a latent diffusion model draws its latents.
  const int64_t side = config_.latent_size();
  torch::Tensor z = torch::randn({request.num, config_.latent_channels, side, side}, request.generator) / latent_scale();
  return clamp_to_range(decode(z.to(running_mean_.device())));
}

ModeResult AutoencoderModel::sample_mode(const ModeRequest& r) {
  torch::NoGradGuard no_grad;
  if (r.mode != "reconstruct") throw UserError("--mode " + r.mode + ": unknown for an autoencoder (known: prior, reconstruct)");
  if (r.klass >= 0) throw UserError("--class " + std::to_string(r.klass) + ": an autoencoder is not conditional");
  Batch x = pick_examples(r.test_split, r.sampling.num, r.sampling.generator);
  torch::Tensor decoded = decode(encode(x.images).mean);
  ModeResult result;
  result.nrow = r.nrow;
  result.images = interleave_rows({x.images, clamp_to_range(decoded)}, r.nrow, data_range_ == "tanh" ? -1.0 : 0.0);
  result.report = {{"psnr_db", psnr_db(decoded, x.images).mean().item<double>()}};
  return result;
}

}  // namespace gencli::autoencoder
