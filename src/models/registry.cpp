#include "models/registry.h"

#include "core/config.h"
#include "core/errors.h"
#include "models/model.h"
#include "models/classifier/classifier_family.h"
#include "models/diffusion/diffusion_family.h"
#include "models/gan/gan_family.h"
#include "models/gpt/gpt_family.h"
#include "models/linreg/linreg_family.h"
#include "models/pixelcnn/pixelcnn_family.h"
#include "models/vae/vae_family.h"
#include "models/wavenet/wavenet_family.h"

namespace gencli::models {

const std::vector<Family>& families() {
  static const std::vector<Family> all = {
      gan_family(),
      linreg_family(),
      vae_family(),
      diffusion_family(),
      pixelcnn_family(),
      wavenet_family(),
      gpt_family(),
      classifier_family(),
  };
  return all;
}

std::string known_types() {
  std::string names;
  for (const auto& f : families()) names += (names.empty() ? "" : ", ") + f.type;
  return names;
}

const Family& family(const std::string& type) {
  for (const auto& f : families())
    if (f.type == type) return f;
  throw ConfigError("model.type: unknown model type \"" + type + "\" (known: " + known_types() + ")");
}

nlohmann::json resolve_model_config(const nlohmann::json& model) {
  if (!model.is_object())
    throw ConfigError("model: expected an object with a \"type\" (one of " + known_types() + ")");
  if (!model.contains("type") || !model["type"].is_string())
    throw ConfigError("model.type: expected a string, one of " + known_types());
  return family(model["type"].get<std::string>()).resolve_config(model);
}

std::shared_ptr<Model> create_model(const Config& config) {
  std::shared_ptr<Model> model = family(config.model_type()).create(config);
  // A family that draws images draws 2-D points from 2-D data: the same tensors, another picture.
  if (config.data.type == "toy2d" && model->capabilities_.output == Output::images)
    model->capabilities_.output = Output::points;
  return model;
}

}  // namespace gencli::models
