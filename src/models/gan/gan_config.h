#pragma once
// The GAN family's `model` section, with the classic MLP GAN as defaults.
#include <string>
#include <vector>

#include "core/config_fields.h"

namespace gencli::gan {

struct GanConfig {
  std::string type = "gan";
  std::string arch = "mlp";                      // "mlp" (fully connected) or "dcgan" (convolutional, 28x28)
  int64_t latent_dim = 100;                      // noise vector size
  std::vector<int64_t> g_hidden = {256, 512};    // MLP generator widths: 100 -> 256 -> 512 -> 784
  std::vector<int64_t> d_hidden = {512, 256};    // MLP discriminator widths: 784 -> 512 -> 256 -> 1
  int64_t dcgan_width = 64;                      // DCGAN base channel count
  double leaky_slope = 0.2;                      // LeakyReLU negative slope
  int64_t image_channels = 1;
  int64_t image_size = 28;                       // square images (1 for toy2d points); dcgan needs a multiple of 4
  bool conditional = false;                      // label embedding in both networks
  std::string loss = "bce";                      // "bce" (non-saturating), "hinge", "wasserstein", "wgan-gp"
  int64_t critic_steps = 1;                      // discriminator updates per generator update
  double gp_weight = 10.0;                       // gradient-penalty weight for wgan-gp
  double weight_clip = 0.0;                      // clip critic weights to [-c, c] after each update (0 = off)

  template <class V>
  void visit(V& v) {
    using namespace config;
    v.field("type", type);
    v.field("arch", arch, one_of({"mlp", "dcgan"}));
    v.field("latent_dim", latent_dim, at_least(1));
    v.field("g_hidden", g_hidden, positive_integers());
    v.field("d_hidden", d_hidden, positive_integers());
    v.field("dcgan_width", dcgan_width, at_least(1));
    v.field("leaky_slope", leaky_slope, in_range(0, 1));
    v.field("image_channels", image_channels, at_least(1));
    v.field("image_size", image_size, at_least(1));
    v.field("conditional", conditional);
    v.field("loss", loss, one_of({"bce", "hinge", "wasserstein", "wgan-gp"}));
    v.field("critic_steps", critic_steps, at_least(1));
    v.field("gp_weight", gp_weight, non_negative());
    v.field("weight_clip", weight_clip, non_negative());
  }
};

}  // namespace gencli::gan
