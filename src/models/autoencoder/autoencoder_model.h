#pragma once
// The autoencoder family: the first stage of latent diffusion. encode() gives the Gaussian
// posterior q(z | x) over a spatial latent, decode() the image; latent diffusion trains in the
// latent space scaled by latent_scale(), 1 / std of the latents measured on the training data
// (Rombach et al. 2022, section 4.3.2: Stable Diffusion's 0.18215).
#include "models/autoencoder/autoencoder_config.h"
#include "models/autoencoder/autoencoder_networks.h"
#include "models/model.h"

namespace gencli::autoencoder {

struct LatentPosterior {
  torch::Tensor mean, logvar;  // (B, latent_channels, h, w)
};

class AutoencoderModel : public Model {
 public:
  // data_range: "tanh" or "unit", the range images come in and decoded images are clamped to.
  AutoencoderModel(AutoencoderConfig config, std::string data_range);

  std::vector<OptimizedPart> optimized_parts() override;
  StepMetrics train_step(StepContext& ctx) override;
  torch::Tensor sample(const SampleRequest& request) override;
  ModeResult sample_mode(const ModeRequest& request) override;
  nlohmann::json evaluate(EvalContext& ctx) override;

  LatentPosterior encode(const torch::Tensor& images);
  torch::Tensor decode(const torch::Tensor& latents);        // unclamped
  torch::Tensor reconstruct(const torch::Tensor& images);    // decode(posterior mean), clamped to the data range
  torch::Tensor clamp_to_range(const torch::Tensor& images) const;
  // Per-image reconstruction loss, summed over pixels (l1 or l2).
  torch::Tensor reconstruction_loss(const torch::Tensor& decoded, const torch::Tensor& images) const;
  // Reconstruction PSNR in dB per image, on pixels mapped to [0, 1].
  torch::Tensor psnr_db(const torch::Tensor& decoded, const torch::Tensor& images) const;

  // 1 / std of the training latents (running estimate); 1 before the first step.
  double latent_scale() const;
  const AutoencoderConfig& config() const { return config_; }
  const std::string& data_range() const { return data_range_; }

  LatentEncoder encoder{nullptr};
  LatentDecoder decoder{nullptr};

 private:
  void track_latent_statistics(const torch::Tensor& latents);

  AutoencoderConfig config_;
  std::string data_range_;
  // Running per-channel mean and variance of training latents, and how many batches they saw.
  torch::Tensor running_mean_, running_var_, batches_seen_;
};

}  // namespace gencli::autoencoder
