// `gencli eval` for the autoencoder: reconstruction PSNR, L1 and MSE on the test split beside
// the PSNR of a trivial decoder (every image replaced by the mean test image), and the
// statistics of the latents: per channel mean and std, and the scale latent diffusion uses.
#include <cmath>

#include "core/errors.h"
#include "models/autoencoder/autoencoder_model.h"

namespace gencli::autoencoder {

namespace {

constexpr int64_t kEvalBatch = 100;

}  // namespace

nlohmann::json AutoencoderModel::evaluate(EvalContext& ctx) {
  torch::NoGradGuard no_grad;
  const Batch& test = ctx.test_split;
  if (!test.images.defined() || test.images.size(0) == 0)
    throw UserError("autoencoder eval needs the test split (data.root)");
  check_image_shape(test.images, config_.image_channels, config_.image_size);
  eval();
  const torch::Device device = running_mean_.device();
  const int64_t n = test.images.size(0);
  double psnr_sum = 0, l1_sum = 0, mse_sum = 0;
  std::vector<torch::Tensor> latents;
  for (int64_t start = 0; start < n; start += kEvalBatch) {
    torch::Tensor x = test.images.slice(0, start, std::min(n, start + kEvalBatch)).to(device);
    LatentPosterior q = encode(x);
    torch::Tensor decoded = clamp_to_range(decode(q.mean));
    psnr_sum += psnr_db(decoded, x).sum().item<double>();
    l1_sum += (decoded - x).abs().flatten(1).mean(1).sum().item<double>();
    mse_sum += (decoded - x).square().flatten(1).mean(1).sum().item<double>();
    latents.push_back(q.mean.transpose(0, 1).flatten(1).cpu());  // (C, b*h*w)
  }
  torch::Tensor all = torch::cat(latents, 1);
  torch::Tensor images = test.images.to(device);
  torch::Tensor mean_image = images.mean(0, true).expand_as(images);

  nlohmann::json j;
  j["test_images"] = n;
  j["psnr_db"] = psnr_sum / n;
  j["psnr_db_mean_image"] = psnr_db(mean_image, images).mean().item<double>();
  j["l1_per_pixel"] = l1_sum / n;
  j["mse_per_pixel"] = mse_sum / n;
  j["latent_shape"] = {config_.latent_channels, config_.latent_size(), config_.latent_size()};
  j["downsampling"] = config_.downsampling();
  j["latent_channel_mean"] = std::vector<double>();
  j["latent_channel_std"] = std::vector<double>();
  for (int64_t c = 0; c < all.size(0); ++c) {
    j["latent_channel_mean"].push_back(all[c].mean().item<double>());
    j["latent_channel_std"].push_back(all[c].std().item<double>());
  }
  j["latent_scale_training"] = latent_scale();
  j["latent_scale_test"] = 1.0 / all.flatten().std().item<double>();
  return j;
}

}  // namespace gencli::autoencoder
