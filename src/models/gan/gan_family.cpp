#include "models/gan/gan_family.h"

#include <spdlog/spdlog.h>

#include "core/config.h"
#include "core/errors.h"
#include "models/gan/gan_model.h"

namespace gencli::models {

namespace {

nlohmann::json resolve(const nlohmann::json& model) {
  auto c = config::read_section<gan::GanConfig>(model, "model");
  if (c.arch == "dcgan" && c.image_size % 4 != 0)
    throw ConfigError("model.image_size: dcgan needs a multiple of 4, got " + std::to_string(c.image_size));
  return config::write_section(c);
}

std::shared_ptr<Model> create(const Config& config) {
  auto c = config::read_section<gan::GanConfig>(config.model, "model");
  if (config.data.range != "tanh")
    throw ConfigError("data.range: the GAN's generator ends in Tanh, so data.range must be \"tanh\", got \"" +
                      config.data.range + "\"");
  if (c.loss == "wasserstein" && c.weight_clip == 0)
    spdlog::warn("model.loss \"wasserstein\" without model.weight_clip has no Lipschitz constraint on the "
                 "critic and diverges; use \"wgan-gp\" or set model.weight_clip (e.g. 0.01)");
  return std::make_shared<gan::GanModel>(c, config.data.num_classes);
}

}  // namespace

Family gan_family() {
  return {"gan", "generative adversarial networks: MLP or DCGAN, bce/hinge/Wasserstein/WGAN-GP, conditional",
          resolve, create};
}

}  // namespace gencli::models
