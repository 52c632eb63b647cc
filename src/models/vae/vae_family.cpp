#include "models/vae/vae_family.h"

#include "models/family_definition.h"
#include "models/vae/vae_model.h"

namespace gencli::models {

Family vae_family() {
  FamilyDefinition<vae::VaeConfig> d;
  d.type = "vae";
  d.description = "variational autoencoders: MLP or conv, Bernoulli or Gaussian decoder, beta/KL warm-up, conditional";
  d.data.range = "unit";
  d.data.range_why = "the VAE models pixels in [0, 1]";
  d.check = [](const vae::VaeConfig& c) {
    if (c.arch != "conv") return;
    const int64_t factor = int64_t{1} << c.conv_channels.size();
    if (c.image_size % factor != 0)
      throw ConfigError("model.image_size: " + std::to_string(c.conv_channels.size()) +
                        " stride-2 convolutions need a multiple of " + std::to_string(factor) + ", got " +
                        std::to_string(c.image_size));
  };
  d.build = [](const vae::VaeConfig& c, const Config& config) {
    return std::make_shared<vae::VaeModel>(c, config.data.num_classes);
  };
  return define_family(d);
}

}  // namespace gencli::models
