#include "models/autoencoder/autoencoder_family.h"

#include "models/autoencoder/autoencoder_model.h"
#include "models/family_definition.h"

namespace gencli::models {

namespace {

using autoencoder::AutoencoderConfig;

void check(const AutoencoderConfig& c) {
  const int64_t factor = c.downsampling();
  if (c.image_size % factor != 0)
    throw ConfigError("model.image_size: " + std::to_string(c.channel_mult.size()) + " levels halve the image " +
                      std::to_string(c.channel_mult.size() - 1) + " times, so it must be a multiple of " +
                      std::to_string(factor) + ", got " + std::to_string(c.image_size));
  for (int64_t m : c.channel_mult)
    if ((c.base_channels * m) % c.groups != 0)
      throw ConfigError("model.groups: " + std::to_string(c.groups) + " does not divide the width " +
                        std::to_string(c.base_channels * m) + " (base_channels x channel_mult)");
}

}  // namespace

Family autoencoder_family() {
  FamilyDefinition<AutoencoderConfig> d;
  d.type = "autoencoder";
  d.description = "latent autoencoders: conv encoder/decoder, KL-regularised spatial latent, L1/L2 (latent diffusion's first stage)";
  d.check = check;
  d.build = [](const AutoencoderConfig& c, const Config& config) {
    return std::make_shared<autoencoder::AutoencoderModel>(c, config.data.range);
  };
  return define_family(d);
}

}  // namespace gencli::models
