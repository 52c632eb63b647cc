#include "models/wavenet/wavenet_family.h"

#include "core/config.h"
#include "core/errors.h"
#include "data/audio_folder.h"
#include "models/wavenet/wavenet_model.h"

namespace gencli::models {

namespace {

nlohmann::json resolve(const nlohmann::json& model) {
  return config::write_section(config::read_section<wavenet::WaveNetConfig>(model, "model"));
}

std::shared_ptr<Model> create(const Config& config) {
  auto c = config::read_section<wavenet::WaveNetConfig>(config.model, "model");
  if (config.data.type != "audio_folder")
    throw ConfigError("data.type: WaveNet models audio, so data.type must be \"audio_folder\", got \"" +
                      config.data.type + "\"");
  const int64_t clip = clip_samples(config.data);
  if (c.window > clip)
    throw ConfigError("model.window: " + std::to_string(c.window) + " samples is longer than a clip (" +
                      std::to_string(clip) + " samples from data.clip_seconds)");
  return std::make_shared<wavenet::WaveNetModel>(c, config.data.num_classes, config.data.sample_rate);
}

}  // namespace

Family wavenet_family() {
  return {"wavenet", "autoregressive audio: causal dilated convolutions over mu-law samples, cached generation",
          resolve, create};
}

}  // namespace gencli::models
