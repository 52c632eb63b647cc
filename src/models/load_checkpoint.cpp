#include "models/load_checkpoint.h"

#include "core/errors.h"
#include "io/sha256.h"
#include "models/model_weights.h"
#include "models/registry.h"
#include "train/ema.h"

namespace gencli {

LoadedModel load_model(const std::string& path, const torch::Device& device) {
  OpenedCheckpoint ckpt = open_checkpoint(path, device);
  LoadedModel loaded;
  loaded.header = ckpt.header;
  loaded.config = config_from_json(ckpt.header.config);
  loaded.model = models::family(loaded.config.model_type()).create(loaded.config);
  if (loaded.model->saves_adapters_only()) load_init_weights(*loaded.model, loaded.config);
  torch::serialize::InputArchive section;
  ckpt.archive.read("model", section);
  try {
    load_model_weights(*loaded.model, section);
  } catch (const UserError& e) {
    throw UserError("checkpoint error: " + path + ": " + e.what());
  } catch (const c10::Error& e) {
    throw UserError("checkpoint error: " + path + ": weights do not match the architecture in its config");
  }
  torch::serialize::InputArchive ema_section;
  if (loaded.model->ema_target() && read_section(ckpt.archive, "ema", ema_section)) {
    loaded.model->ema = make_ema_copy(*loaded.model->ema_target());
    loaded.model->ema->load(ema_section);
  }
  loaded.model->to(device);
  if (loaded.model->ema) loaded.model->ema->to(device);
  loaded.sha256 = sha256_file_hex(path);
  c10::IValue energy;
  if (ckpt.archive.try_read("energy", energy) && energy.isString()) {
    loaded.energy = nlohmann::json::parse(energy.toStringRef(), nullptr, /*allow_exceptions=*/false);
    if (loaded.energy.is_discarded()) throw UserError("checkpoint error: " + path + ": unreadable energy report");
  }
  return loaded;
}

}  // namespace gencli
