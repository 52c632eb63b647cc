#pragma once
// Encoder q(z | x) and decoder p(x | z) of the VAE, MLP or convolutional. A conditional VAE
// appends the one-hot label to the encoder's flattened features and to z.
#include "core/torch_api.h"

#include "models/vae/vae_config.h"

namespace gencli::vae {

class EncoderImpl : public torch::nn::Module {
 public:
  EncoderImpl(const VaeConfig& config, int64_t num_classes);
  // x: (B, C, H, W); one_hot: (B, K) or undefined -> (mu, logvar), each (B, latent_dim)
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x, const torch::Tensor& one_hot);

 private:
  torch::nn::Sequential features{nullptr};  // conv stack (or nothing) then flatten
  torch::nn::Sequential body{nullptr};      // fully connected layers
  torch::nn::Linear head{nullptr};          // -> 2 * latent_dim
};
TORCH_MODULE(Encoder);

class DecoderImpl : public torch::nn::Module {
 public:
  DecoderImpl(const VaeConfig& config, int64_t num_classes);
  // z: (B, latent_dim) -> (B, C, H, W) unnormalised outputs: Bernoulli logits, or the Gaussian
  // mean before its sigmoid.
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& one_hot);

 private:
  torch::nn::Sequential body{nullptr};        // fully connected layers
  torch::nn::Sequential upsampling{nullptr};  // transposed convolutions (conv) or a reshape
};
TORCH_MODULE(Decoder);

}  // namespace gencli::vae
