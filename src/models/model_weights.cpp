#include "models/model_weights.h"

#include <filesystem>
#include <set>
#include <unordered_map>

#include "core/errors.h"
#include "io/checkpoint.h"
#include "io/sha256.h"
#include "models/gpt/hugging_face.h"

namespace gencli {

namespace {

using Keep = std::function<bool(const std::string& name)>;

bool is_adapter(const std::string& name) {
  return name.find("lora_A") != std::string::npos || name.find("lora_B") != std::string::npos;
}

// Module::save and Module::load, restricted to the parameters and buffers `keep` accepts
// (names relative to `module`), in the same nested layout, so either reads the other's files.
void save_filtered(torch::nn::Module& module, torch::serialize::OutputArchive& archive, const Keep& keep,
                   const std::string& prefix) {
  for (auto& p : module.named_parameters(/*recurse=*/false))
    if (keep(prefix + p.key())) archive.write(p.key(), p.value());
  for (auto& b : module.named_buffers(/*recurse=*/false))
    if (keep(prefix + b.key())) archive.write(b.key(), b.value(), /*is_buffer=*/true);
  for (auto& child : module.named_children()) {
    torch::serialize::OutputArchive nested;
    save_filtered(*child.value(), nested, keep, prefix + child.key() + ".");
    archive.write(child.key(), nested);
  }
}

// Whether `module` or a module under it holds a weight `keep` accepts.
bool holds_kept(torch::nn::Module& module, const Keep& keep, const std::string& prefix) {
  for (auto& p : module.named_parameters(/*recurse=*/true))
    if (keep(prefix + p.key())) return true;
  for (auto& b : module.named_buffers(/*recurse=*/true))
    if (keep(prefix + b.key())) return true;
  return false;
}

void load_filtered(torch::nn::Module& module, torch::serialize::InputArchive& archive, const Keep& keep,
                   const std::string& prefix) {
  torch::NoGradGuard no_grad;
  for (auto& p : module.named_parameters(false)) {
    if (!keep(prefix + p.key())) continue;
    torch::Tensor stored;
    if (!archive.try_read(p.key(), stored) || stored.sizes() != p.value().sizes())
      throw UserError("no weight of shape " + c10::str(p.value().sizes()) + " for " + prefix + p.key());
    p.value().copy_(stored);
  }
  for (auto& b : module.named_buffers(false)) {
    if (!keep(prefix + b.key())) continue;
    torch::Tensor stored;
    if (!archive.try_read(b.key(), stored, /*is_buffer=*/true) || stored.sizes() != b.value().sizes())
      throw UserError("no buffer of shape " + c10::str(b.value().sizes()) + " for " + prefix + b.key());
    b.value().copy_(stored);
  }
  for (auto& child : module.named_children()) {
    // Modules without weights to load (an adapter's dropout, absent from a base) are skipped.
    if (!holds_kept(*child.value(), keep, prefix + child.key() + ".")) continue;
    torch::serialize::InputArchive nested;
    if (!archive.try_read(child.key(), nested)) throw UserError("no weights for " + prefix + child.key());
    load_filtered(*child.value(), nested, keep, prefix + child.key() + ".");
  }
}

}  // namespace

namespace {

// The file whose SHA-256 identifies init.from: the path itself, or for a Hugging Face folder
// (GPT-2, the one layout gencli reads) its model.safetensors.
std::string init_identity_file(const std::string& from) {
  return gpt::is_hugging_face_folder(from) ? gpt::hugging_face_weights_file(from) : from;
}

}  // namespace

void record_init_checkpoint(Config& config) {
  if (config.init.from.empty()) {
    if (!config.init.sha256.empty()) throw ConfigError("init.sha256: set without init.from");
    return;
  }
  const std::string identity = init_identity_file(config.init.from);
  if (!std::filesystem::is_regular_file(identity))
    throw ConfigError("init.from: no checkpoint file at " + identity);
  const std::string sha = sha256_file_hex(identity);
  if (!config.init.sha256.empty() && config.init.sha256 != sha)
    throw ConfigError("init.sha256: " + config.init.from + " has SHA-256 " + sha + ", not " + config.init.sha256);
  config.init.sha256 = sha;
}

void load_init_weights(Model& model, const Config& config) {
  const std::string path = init_identity_file(config.init.from);
  if (!std::filesystem::is_regular_file(path))
    throw UserError("init.from: the base checkpoint " + path + " is missing (this run's weights build on it)");
  const std::string sha = sha256_file_hex(path);
  if (!config.init.sha256.empty() && sha != config.init.sha256)
    throw UserError("init.from: " + path + " has changed since this run started (SHA-256 " + sha + ", expected " +
                    config.init.sha256 + ")");
  if (gpt::is_hugging_face_folder(config.init.from)) {
    load_state_tensors(model, gpt::read_hugging_face_weights(config.init.from), path, /*with_adapters=*/false);
    return;
  }
  if (is_safetensors_path(path)) {
    const SafetensorsFile base = read_safetensors(path);
    const auto type = base.metadata.find("gencli.model_type");
    if (type != base.metadata.end() && type->second != config.model_type())
      throw UserError("init.from: " + path + " holds a " + type->second + " model, not " + config.model_type());
    load_state_tensors(model, base, path, /*with_adapters=*/false);
    return;
  }
  OpenedCheckpoint base = open_checkpoint(path);
  if (base.header.model_type != config.model_type())
    throw UserError("init.from: " + path + " holds a " + base.header.model_type + " model, not " + config.model_type());
  torch::serialize::InputArchive section;
  base.archive.read(checkpoint_key::kModel, section);
  try {
    load_filtered(model, section, [](const std::string& name) { return !is_adapter(name); }, "");
  } catch (const UserError& e) {
    throw UserError(std::string("init.from: ") + path + ": " + e.what());
  }
}

std::vector<std::pair<std::string, torch::Tensor>> model_state_tensors(Model& model, bool use_ema) {
  // The EMA is a copy of ema_target(): pair its tensors with the target's by name, then swap
  // them in by identity wherever the target's tensors appear in the whole model.
  std::unordered_map<const void*, torch::Tensor> ema_of;
  if (use_ema && model.ema && model.ema_target()) {
    auto ema_params = model.ema->named_parameters();
    for (auto& p : model.ema_target()->named_parameters()) ema_of[p.value().unsafeGetTensorImpl()] = ema_params[p.key()];
    auto ema_buffers = model.ema->named_buffers();
    for (auto& b : model.ema_target()->named_buffers()) ema_of[b.value().unsafeGetTensorImpl()] = ema_buffers[b.key()];
  }
  std::vector<std::pair<std::string, torch::Tensor>> out;
  auto add = [&](const std::string& name, const torch::Tensor& t) {
    auto ema = ema_of.find(t.unsafeGetTensorImpl());
    out.emplace_back(name, (ema != ema_of.end() ? ema->second : t).detach());
  };
  for (auto& p : model.named_parameters()) add(p.key(), p.value());
  for (auto& b : model.named_buffers()) add(b.key(), b.value());
  return out;
}

void load_state_tensors(Model& model, const SafetensorsFile& file, const std::string& path, bool with_adapters) {
  torch::NoGradGuard no_grad;
  std::set<std::string> wanted;
  auto fill = [&](const std::string& name, torch::Tensor& target) {
    if (!with_adapters && is_adapter(name)) return;
    wanted.insert(name);
    const torch::Tensor stored = file.find(name);
    if (!stored.defined())
      throw DataError(path + ": no tensor " + name + " (the model needs " + c10::str(target.sizes()) + ")");
    if (stored.sizes() != target.sizes())
      throw DataError(path + ": tensor " + name + " has shape " + c10::str(stored.sizes()) + ", the model needs " +
                      c10::str(target.sizes()));
    const bool both_float = stored.is_floating_point() && target.is_floating_point();
    if (!both_float && stored.scalar_type() != target.scalar_type())
      throw DataError(path + ": tensor " + name + " is " + safetensors_dtype_name(stored.scalar_type()) +
                      ", the model needs " + safetensors_dtype_name(target.scalar_type()));
    if (stored.is_floating_point() && !torch::isfinite(stored).all().item<bool>())
      throw DataError(path + ": tensor " + name + " holds NaN or infinite values");
    target.copy_(stored);
  };
  for (auto& p : model.named_parameters()) fill(p.key(), p.value());
  for (auto& b : model.named_buffers()) fill(b.key(), b.value());
  for (const auto& [name, tensor] : file.tensors)
    if (!wanted.count(name) && (with_adapters || !is_adapter(name)))
      throw DataError(path + ": tensor " + name + " is not a weight of this model");
}

void save_model_weights(Model& model, torch::serialize::OutputArchive& archive) {
  if (model.capabilities().adapters_only)
    save_filtered(model, archive, is_adapter, "");
  else
    model.save(archive);
}

void load_model_weights(Model& model, torch::serialize::InputArchive& archive) {
  if (model.capabilities().adapters_only)
    load_filtered(model, archive, is_adapter, "");
  else
    model.load(archive);
}

}  // namespace gencli
