#pragma once
// The autoencoder family's `model` section: the first stage of latent diffusion (Rombach et al.
// 2022). A convolutional encoder maps an image to a spatial Gaussian latent (channels
// latent_channels, side image_size / 2^(levels - 1)), a decoder maps it back; the loss is the
// reconstruction error plus a small KL term that keeps the latent's scale in check.
#include <string>
#include <vector>

#include "core/config_fields.h"

namespace gencli::autoencoder {

struct AutoencoderConfig {
  std::string type = "autoencoder";
  int64_t image_channels = 1;
  int64_t image_size = 56;                        // square; a multiple of 2^(levels - 1)
  int64_t base_channels = 32;                     // channels at full resolution
  std::vector<int64_t> channel_mult = {1, 2, 2};  // per level; each level after the first halves the side
  int64_t res_blocks = 1;                         // residual blocks per level
  int64_t groups = 8;                             // GroupNorm groups (must divide every width)
  int64_t latent_channels = 4;                    // channels of the latent
  std::string reconstruction = "l1";              // "l1" or "l2", summed over pixels
  double kl_weight = 1e-6;                        // weight of KL(q(z | x) || N(0, I)), summed over the latent
  double scale_momentum = 0.99;                   // running estimate of the latent's std over training batches

  template <class V>
  void visit(V& v) {
    using namespace config;
    v.field("type", type);
    v.field("image_channels", image_channels, at_least(1));
    v.field("image_size", image_size, at_least(2));
    v.field("base_channels", base_channels, at_least(1));
    v.field("channel_mult", channel_mult, positive_integers());
    v.field("res_blocks", res_blocks, at_least(1));
    v.field("groups", groups, at_least(1));
    v.field("latent_channels", latent_channels, at_least(1));
    v.field("reconstruction", reconstruction, one_of({"l1", "l2"}));
    v.field("kl_weight", kl_weight, non_negative());
    v.field("scale_momentum", scale_momentum, open_unit());
  }

  int64_t downsampling() const { return int64_t{1} << (channel_mult.size() - 1); }
  int64_t latent_size() const { return image_size / downsampling(); }
};

}  // namespace gencli::autoencoder
