#pragma once
// Generator and discriminator for the GAN family, in the C++ frontend's
// Impl + TORCH_MODULE shape. Both support the MLP and DCGAN architectures
// and an optional label embedding (conditional GAN).
#include "core/torch_api.h"

#include "models/gan/gan_config.h"

namespace gencli::gan {

struct NetworkOptions {
  GanConfig model;
  int64_t num_classes = 10;
};

class GeneratorImpl : public torch::nn::Cloneable<GeneratorImpl> {
 public:
  explicit GeneratorImpl(NetworkOptions options);
  void reset() override;
  // z: (B, latent_dim), labels: (B) int64 or undefined -> images (B, C, H, W) in [-1, 1]
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels = {});

  NetworkOptions options;

 private:
  torch::nn::Embedding label_embedding{nullptr};
  torch::nn::Sequential body{nullptr};
};
TORCH_MODULE(Generator);

class DiscriminatorImpl : public torch::nn::Cloneable<DiscriminatorImpl> {
 public:
  explicit DiscriminatorImpl(NetworkOptions options);
  void reset() override;
  // images: (B, C, H, W) -> scores (B); logits for bce, critic values for Wasserstein losses
  torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& labels = {});

  NetworkOptions options;

 private:
  torch::nn::Embedding label_embedding{nullptr};
  torch::nn::Sequential body{nullptr};
};
TORCH_MODULE(Discriminator);

}  // namespace gencli::gan
