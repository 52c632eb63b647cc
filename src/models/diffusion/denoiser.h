#pragma once
// The network of a diffusion model: embeds the timestep (and class, or encodes the prompt) and
// runs the U-Net or, for 2-D toy data, an MLP. Cloneable, so the training loop can keep an EMA copy.
#include "core/torch_api.h"

#include "models/diffusion/diffusion_config.h"
#include "models/diffusion/unet.h"

namespace gencli::diffusion {

class DenoiserImpl : public torch::nn::Cloneable<DenoiserImpl> {
 public:
  DenoiserImpl(DiffusionConfig config, int64_t num_classes);
  void reset() override;
  // x: (B, C, H, W) noisy samples; t: (B) int64 timesteps; labels: (B) int64 in [0, num_classes],
  // where num_classes stands for "no label" (classifier-free guidance), or undefined; prompt:
  // the tokens of B prompts for text-conditional models ("" for none), else null.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& labels = {},
                        const PromptTokens* prompt = nullptr);

  DiffusionConfig config;
  int64_t num_classes;

 private:
  int64_t embedding_width() const;

  torch::nn::Linear time_hidden{nullptr}, time_out{nullptr};
  torch::nn::Embedding class_embedding{nullptr};
  UNet unet{nullptr};
  ToyDenoiser mlp{nullptr};
  TextEncoder text_encoder{nullptr};
};
TORCH_MODULE(Denoiser);

// Sinusoidal embedding of timesteps (Vaswani et al. 2017, section 3.5; Ho et al. 2020, appendix B):
// (B) -> (B, width), sin in the first half, cos in the second, frequencies 10000^(-i / half).
torch::Tensor timestep_embedding(const torch::Tensor& t, int64_t width);

}  // namespace gencli::diffusion
