#include "models/wavenet/wavenet_family.h"

#include "data/audio_folder.h"
#include "models/family_definition.h"
#include "models/wavenet/wavenet_model.h"

namespace gencli::models {

Family wavenet_family() {
  FamilyDefinition<wavenet::WaveNetConfig> d;
  d.type = "wavenet";
  d.description = "autoregressive audio: causal dilated convolutions over mu-law samples, cached generation";
  d.data.types = {"audio_folder"};
  d.data.types_why = "WaveNet models audio";
  d.check_config = [](const wavenet::WaveNetConfig& c, const Config& config) {
    const int64_t clip = clip_samples(config.data);
    if (c.window > clip)
      throw ConfigError("model.window: " + std::to_string(c.window) + " samples is longer than a clip (" +
                        std::to_string(clip) + " samples from data.clip_seconds)");
  };
  d.build = [](const wavenet::WaveNetConfig& c, const Config& config) {
    return std::make_shared<wavenet::WaveNetModel>(c, config.data.num_classes, config.data.sample_rate);
  };
  return define_family(d);
}

}  // namespace gencli::models
