#include "models/gan/gan_family.h"

#include <spdlog/spdlog.h>

#include "models/family_definition.h"
#include "models/gan/gan_model.h"

namespace gencli::models {

Family gan_family() {
  FamilyDefinition<gan::GanConfig> d;
  d.type = "gan";
  d.description = "generative adversarial networks: MLP or DCGAN, bce/hinge/Wasserstein/WGAN-GP, conditional";
  d.data.range = "tanh";
  d.data.range_why = "the GAN's generator ends in Tanh";
  d.check = [](const gan::GanConfig& c) {
    if (c.arch == "dcgan" && c.image_size % 4 != 0)
      throw ConfigError("model.image_size: dcgan needs a multiple of 4, got " + std::to_string(c.image_size));
  };
  d.build = [](const gan::GanConfig& c, const Config& config) {
    return std::make_shared<gan::GanModel>(c, config.data.num_classes);
  };
  d.advise = [](const gan::GanConfig& c, const Config&) {
    if (c.loss == "wasserstein" && c.weight_clip == 0)
      spdlog::warn("model.loss \"wasserstein\" without model.weight_clip has no Lipschitz constraint on the "
                   "critic and diverges; use \"wgan-gp\" or set model.weight_clip (e.g. 0.01)");
  };
  return define_family(d);
}

}  // namespace gencli::models
