#include "models/pixelcnn/pixelcnn_family.h"

#include "models/family_definition.h"
#include "models/pixelcnn/pixelcnn_model.h"

namespace gencli::models {

Family pixelcnn_family() {
  FamilyDefinition<pixelcnn::PixelCnnConfig> d;
  d.type = "pixelcnn";
  d.description = "autoregressive images: gated or residual masked convolutions, binarized or 256-level pixels";
  d.data.range = "unit";
  d.data.range_why = "the PixelCNN models pixels in [0, 1]";
  d.build = [](const pixelcnn::PixelCnnConfig& c, const Config& config) {
    return std::make_shared<pixelcnn::PixelCnnModel>(c, config.data.num_classes);
  };
  return define_family(d);
}

}  // namespace gencli::models
