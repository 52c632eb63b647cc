#include "train/safetensors_model.h"

#include <filesystem>

#include "core/errors.h"
#include "io/safetensors.h"
#include "io/sha256.h"
#include "models/config_loading.h"
#include "models/model_weights.h"
#include "models/registry.h"

namespace gencli {

namespace key = safetensors_key;

void export_safetensors(const LoadedModel& loaded, const std::string& path, const SafetensorsExport& options) {
  if (loaded.model->capabilities().adapters_only)
    throw UserError(path + ": a model with LoRA adapters is exported with its adapters merged in");
  const bool ema = options.use_ema && loaded.model->ema != nullptr;
  auto tensors = model_state_tensors(*loaded.model, ema);
  for (auto& [name, tensor] : tensors)
    if (tensor.is_floating_point()) tensor = tensor.to(options.dtype);
  const std::map<std::string, std::string> metadata = {
      {"format", "pt"},
      {key::kConfig, loaded.header.config.dump()},
      {key::kVersion, GENCLI_VERSION},
      {key::kModelType, loaded.header.model_type},
      {key::kStep, std::to_string(loaded.header.step)},
      {key::kCheckpointSha256, loaded.sha256},
      {key::kDataFingerprint, loaded.header.data_fingerprint},
      {key::kWeights, ema ? "ema" : "raw"},
  };
  write_safetensors(path, tensors, metadata);
}

LoadedModel load_safetensors_model(const std::string& path, const torch::Device& device) {
  const SafetensorsFile file = read_safetensors(path);
  LoadedModel loaded;
  const auto config = file.metadata.find(key::kConfig);
  if (config != file.metadata.end()) {
    const nlohmann::json j = nlohmann::json::parse(config->second, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) throw DataError(path + ": __metadata__ " + std::string(key::kConfig) + " is not JSON");
    try {
      loaded.config = config_from_json(j);
    } catch (const UserError& e) {
      throw DataError(path + ": the config in its metadata: " + e.what());
    }
  } else {
    const std::string beside = std::filesystem::path(path).replace_extension(".json").string();
    if (!std::filesystem::is_regular_file(beside))
      throw UserError(path + ": holds no gencli config (__metadata__ " + std::string(key::kConfig) +
                      ") and there is no config " + beside + " beside it");
    loaded.config = load_config_file(beside);
  }
  loaded.header.gencli_version = file.metadata.count(key::kVersion) ? file.metadata.at(key::kVersion) : "";
  loaded.header.model_type = loaded.config.model_type();
  loaded.header.config = config_to_json(loaded.config);
  if (auto step = file.metadata.find(key::kStep); step != file.metadata.end()) {
    try {
      loaded.header.step = std::stoll(step->second);
    } catch (const std::exception&) {
      throw DataError(path + ": __metadata__ " + std::string(key::kStep) + " is not a number: " + step->second);
    }
  }
  if (auto fp = file.metadata.find(key::kDataFingerprint); fp != file.metadata.end())
    loaded.header.data_fingerprint = fp->second;
  loaded.model = models::create_model(loaded.config);
  if (loaded.model->capabilities().adapters_only)
    throw UserError(path + ": its config has LoRA adapters (model.lora_rank); export merges them, set lora_rank 0");
  load_state_tensors(*loaded.model, file, path);
  loaded.model->to(device);
  loaded.sha256 = sha256_file_hex(path);
  return loaded;
}

}  // namespace gencli
