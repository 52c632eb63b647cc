#include "models/autoencoder/first_stage.h"

#include "core/config_fields.h"
#include "core/errors.h"
#include "io/checkpoint.h"
#include "models/model_weights.h"

namespace gencli::autoencoder {

std::shared_ptr<AutoencoderModel> load_first_stage(const std::string& path, const std::string& key) {
  const std::string where = key + ": " + path;
  std::shared_ptr<AutoencoderModel> model;
  try {
    OpenedCheckpoint ckpt = open_checkpoint(path);
    if (ckpt.header.model_type != "autoencoder")
      throw ConfigError(where + " is a " + ckpt.header.model_type +
                        " checkpoint, expected an autoencoder's (train one with configs/autoencoder_canvas.json)");
    const nlohmann::json& config = ckpt.header.config;
    model = std::make_shared<AutoencoderModel>(config::read_section<AutoencoderConfig>(config.at("model"), "model"),
                                               config.at("data").at("range").get<std::string>());
    torch::serialize::InputArchive weights;
    if (!read_section(ckpt.archive, checkpoint_key::kModel, weights))
      throw ConfigError(where + ": the checkpoint holds no model weights");
    load_model_weights(*model, weights);
  } catch (const ConfigError&) {
    throw;
  } catch (const UserError& e) {
    throw ConfigError(key + ": " + e.what());
  } catch (const c10::Error&) {
    throw ConfigError(where + ": its weights do not match the architecture in its config");
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(where + ": its config cannot be read (" + e.what() + ")");
  }
  model->eval();
  for (auto& p : model->parameters()) p.set_requires_grad(false);
  return model;
}

}  // namespace gencli::autoencoder
