// `gencli export --checkpoint C --merge-lora --out M`: folds a LoRA run's adapters into its
// base weights and writes a plain checkpoint that needs neither the base nor the adapters.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "core/errors.h"
#include "models/config_loading.h"
#include "models/registry.h"
#include "train/checkpoint.h"

namespace gencli::cli {

namespace {

struct ExportOptions {
  std::string checkpoint;
  std::string out;
  bool merge_lora = false;
};

void run_export(const ExportOptions& o) {
  if (!o.merge_lora) throw UserError("export: nothing to do; pass --merge-lora");
  if (!std::filesystem::is_regular_file(o.checkpoint)) throw UserError("--checkpoint " + o.checkpoint + ": no such file");
  if (std::filesystem::exists(o.out) && std::filesystem::equivalent(o.out, o.checkpoint))
    throw UserError("--out " + o.out + ": is the checkpoint being exported; choose another file");
  LoadedModel loaded = load_model(o.checkpoint, torch::kCPU);
  if (!loaded.model->capabilities().adapters_only)
    throw UserError("--merge-lora: " + o.checkpoint + " has no adapters (model.lora_rank is 0)");
  loaded.model->merge_adapters();

  // The same model without adapters and without a base to load.
  nlohmann::json config_json = loaded.header.config;
  config_json["model"]["lora_rank"] = 0;
  config_json["init"] = {{"from", ""}, {"sha256", ""}};
  const Config config = config_from_json(config_json);
  std::shared_ptr<Model> merged = models::create_model(config);
  {
    torch::NoGradGuard no_grad;
    auto source = loaded.model->named_parameters();
    for (auto& item : merged->named_parameters()) item.value().copy_(source[item.key()]);
    auto source_buffers = loaded.model->named_buffers();
    for (auto& item : merged->named_buffers()) item.value().copy_(source_buffers[item.key()]);
  }
  // The export was trained on the same data as its source.
  const CheckpointHeader header{kCheckpointFormatVersion, GENCLI_VERSION, config.model_type(), loaded.header.step,
                                config_to_json(config), loaded.header.data_fingerprint};
  save_model_checkpoint(o.out, header, *merged);
  std::printf("%s\n", std::filesystem::absolute(o.out).string().c_str());
  spdlog::info("adapters of {} merged into its base ({}); written to {}", o.checkpoint, loaded.config.init.from, o.out);
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand("export", "write a checkpoint in another form (--merge-lora: adapters folded in)");
  cmd->add_option("--checkpoint", o->checkpoint, "checkpoint file (.pt)")->required();
  cmd->add_option("--out,-o", o->out, "checkpoint file to write")->required();
  cmd->add_flag("--merge-lora", o->merge_lora, "fold LoRA adapters into the base weights (W + alpha/r B A)");
  cmd->callback([o] { run_export(*o); });
}

}  // namespace gencli::cli
