#include "models/classifier/classifier_family.h"

#include "core/config.h"
#include "core/errors.h"
#include "models/classifier/classifier_model.h"

namespace gencli::models {

namespace {

nlohmann::json resolve(const nlohmann::json& model) {
  auto c = config::read_section<classifier::ClassifierConfig>(model, "model");
  const int64_t factor = int64_t{1} << c.conv_channels.size();
  if (c.image_size % factor != 0)
    throw ConfigError("model.image_size: " + std::to_string(c.conv_channels.size()) +
                      " 2x2 max-pools need a multiple of " + std::to_string(factor) + ", got " +
                      std::to_string(c.image_size));
  return config::write_section(c);
}

std::shared_ptr<Model> create(const Config& config) {
  if (config.data.type != "idx" && config.data.type != "image_folder")
    throw ConfigError("data.type: the classifier labels images, so data.type must be \"idx\" or \"image_folder\", got \"" +
                      config.data.type + "\"");
  return std::make_shared<classifier::ClassifierModel>(
      config::read_section<classifier::ClassifierConfig>(config.model, "model"), config.data.num_classes,
      config.data.range);
}

}  // namespace

Family classifier_family() {
  return {"classifier", "a small CNN image classifier: the feature network of `gencli eval --features`", resolve,
          create};
}

}  // namespace gencli::models
