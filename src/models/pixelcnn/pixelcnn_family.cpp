#include "models/pixelcnn/pixelcnn_family.h"

#include "core/config.h"
#include "core/errors.h"
#include "models/pixelcnn/pixelcnn_model.h"

namespace gencli::models {

namespace {

nlohmann::json resolve(const nlohmann::json& model) {
  return config::write_section(config::read_section<pixelcnn::PixelCnnConfig>(model, "model"));
}

std::shared_ptr<Model> create(const Config& config) {
  auto c = config::read_section<pixelcnn::PixelCnnConfig>(config.model, "model");
  if (config.data.range != "unit")
    throw ConfigError("data.range: the PixelCNN models pixels in [0, 1], so data.range must be \"unit\", got \"" +
                      config.data.range + "\"");
  return std::make_shared<pixelcnn::PixelCnnModel>(c, config.data.num_classes);
}

}  // namespace

Family pixelcnn_family() {
  return {"pixelcnn", "autoregressive images: gated or residual masked convolutions, binarized or 256-level pixels",
          resolve, create};
}

}  // namespace gencli::models
