#include "models/model_weights.h"

#include <filesystem>

#include "core/errors.h"
#include "io/checkpoint.h"
#include "io/sha256.h"

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

void record_init_checkpoint(Config& config) {
  if (config.init.from.empty()) {
    if (!config.init.sha256.empty()) throw ConfigError("init.sha256: set without init.from");
    return;
  }
  if (!std::filesystem::is_regular_file(config.init.from))
    throw ConfigError("init.from: no checkpoint file at " + config.init.from);
  const std::string sha = sha256_file_hex(config.init.from);
  if (!config.init.sha256.empty() && config.init.sha256 != sha)
    throw ConfigError("init.sha256: " + config.init.from + " has SHA-256 " + sha + ", not " + config.init.sha256);
  config.init.sha256 = sha;
}

void load_init_weights(Model& model, const Config& config) {
  const std::string& path = config.init.from;
  if (!std::filesystem::is_regular_file(path))
    throw UserError("init.from: the base checkpoint " + path + " is missing (this run's weights build on it)");
  const std::string sha = sha256_file_hex(path);
  if (!config.init.sha256.empty() && sha != config.init.sha256)
    throw UserError("init.from: " + path + " has changed since this run started (SHA-256 " + sha + ", expected " +
                    config.init.sha256 + ")");
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
