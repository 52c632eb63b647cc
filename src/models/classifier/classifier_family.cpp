#include "models/classifier/classifier_family.h"

#include "models/classifier/classifier_model.h"
#include "models/family_definition.h"

namespace gencli::models {

Family classifier_family() {
  FamilyDefinition<classifier::ClassifierConfig> d;
  d.type = "classifier";
  d.description = "a small CNN image classifier: the feature network of `gencli eval --features`";
  d.data.types = {"idx", "image_folder"};
  d.data.types_why = "the classifier labels images";
  d.check = [](const classifier::ClassifierConfig& c) {
    const int64_t factor = int64_t{1} << c.conv_channels.size();
    if (c.image_size % factor != 0)
      throw ConfigError("model.image_size: " + std::to_string(c.conv_channels.size()) +
                        " 2x2 max-pools need a multiple of " + std::to_string(factor) + ", got " +
                        std::to_string(c.image_size));
  };
  d.build = [](const classifier::ClassifierConfig& c, const Config& config) {
    return std::make_shared<classifier::ClassifierModel>(c, config.data.num_classes, config.data.range);
  };
  return define_family(d);
}

}  // namespace gencli::models
