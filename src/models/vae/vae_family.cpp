#include "models/vae/vae_family.h"

#include "core/config.h"
#include "core/errors.h"
#include "models/vae/vae_model.h"

namespace gencli::models {

namespace {

nlohmann::json resolve(const nlohmann::json& model) {
  auto c = config::read_section<vae::VaeConfig>(model, "model");
  if (c.arch == "conv") {
    const int64_t factor = int64_t{1} << c.conv_channels.size();
    if (c.image_size % factor != 0)
      throw ConfigError("model.image_size: " + std::to_string(c.conv_channels.size()) +
                        " stride-2 convolutions need a multiple of " + std::to_string(factor) + ", got " +
                        std::to_string(c.image_size));
  }
  return config::write_section(c);
}

std::shared_ptr<Model> create(const Config& config) {
  auto c = config::read_section<vae::VaeConfig>(config.model, "model");
  if (config.data.range != "unit")
    throw ConfigError("data.range: the VAE models pixels in [0, 1], so data.range must be \"unit\", got \"" +
                      config.data.range + "\"");
  return std::make_shared<vae::VaeModel>(c, config.data.num_classes);
}

}  // namespace

Family vae_family() {
  return {"vae", "variational autoencoders: MLP or conv, Bernoulli or Gaussian decoder, beta/KL warm-up, conditional",
          resolve, create};
}

}  // namespace gencli::models
