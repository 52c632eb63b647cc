#pragma once
// The VAE family's `model` section. Defaults: an MLP VAE with a 20-dimensional latent
// and a Bernoulli decoder on dynamically binarized pixels (the published MNIST setting).
#include <string>
#include <vector>

#include "core/config_fields.h"

namespace gencli::vae {

struct VaeConfig {
  std::string type = "vae";
  std::string arch = "mlp";                   // "mlp" or "conv" (strided convolutions, then `hidden`)
  int64_t latent_dim = 20;                    // size of z
  std::vector<int64_t> hidden = {512, 256};   // fully connected widths of the encoder (the decoder mirrors them)
  std::vector<int64_t> conv_channels = {32, 64};  // conv: channels of each stride-2 convolution
  int64_t image_channels = 1;
  int64_t image_size = 28;                    // square images; conv needs a multiple of 2^len(conv_channels)
  std::string likelihood = "bernoulli";       // "bernoulli" (pixels in [0, 1]) or "gaussian"
  std::string binarize = "dynamic";           // bernoulli only: "dynamic" (resample binary pixels) or "none"
  std::string variance = "learned";           // gaussian only: "learned" (one shared sigma) or "fixed"
  double sigma = 0.1;                         // gaussian: the fixed sigma, or the learned one's start
  double beta = 1.0;                          // weight of the KL term (beta-VAE)
  int64_t kl_warmup_steps = 0;                // beta rises linearly from 0 over this many steps (0 = off)
  double free_bits = 0.0;                     // nats per latent dimension below which KL is not penalised
  bool conditional = false;                   // condition encoder and decoder on the class label

  template <class V>
  void visit(V& v) {
    using namespace config;
    v.field("type", type);
    v.field("arch", arch, one_of({"mlp", "conv"}));
    v.field("latent_dim", latent_dim, at_least(1));
    v.field("hidden", hidden, positive_integers(0));
    v.field("conv_channels", conv_channels, positive_integers());
    v.field("image_channels", image_channels, at_least(1));
    v.field("image_size", image_size, at_least(2));
    v.field("likelihood", likelihood, one_of({"bernoulli", "gaussian"}));
    v.field("binarize", binarize, one_of({"dynamic", "none"}));
    v.field("variance", variance, one_of({"learned", "fixed"}));
    v.field("sigma", sigma, positive());
    v.field("beta", beta, non_negative());
    v.field("kl_warmup_steps", kl_warmup_steps, at_least(0));
    v.field("free_bits", free_bits, non_negative());
    v.field("conditional", conditional);
  }
};

}  // namespace gencli::vae
