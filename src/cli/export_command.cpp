// `gencli export`: a checkpoint in another form. --format safetensors writes the weights for
// Python and other tools (train/safetensors_model.h), --format hf a GPT as Hugging Face's GPT-2
// (train/hugging_face_model.h); --merge-lora folds a LoRA run's adapters
// into its base weights, into a plain checkpoint that needs neither the base nor the adapters.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "core/errors.h"
#include "io/safetensors.h"
#include "models/config_loading.h"
#include "models/registry.h"
#include "train/checkpoint.h"
#include "train/hugging_face_model.h"
#include "train/safetensors_model.h"

namespace gencli::cli {

namespace {

struct ExportOptions {
  std::string checkpoint;
  std::string out;
  std::string format = "checkpoint";
  std::string dtype = "float32";
  bool merge_lora = false;
  bool no_ema = false;
};

// The same model with its adapters folded in, and without a base to load.
LoadedModel merged_copy(LoadedModel& loaded) {
  loaded.model->merge_adapters();
  nlohmann::json config_json = loaded.header.config;
  config_json["model"]["lora_rank"] = 0;
  config_json["init"] = {{"from", ""}, {"sha256", ""}};
  LoadedModel merged = loaded;
  merged.config = config_from_json(config_json);
  merged.header.config = config_to_json(merged.config);
  merged.model = models::create_model(merged.config);
  torch::NoGradGuard no_grad;
  auto source = loaded.model->named_parameters();
  for (auto& item : merged.model->named_parameters()) item.value().copy_(source[item.key()]);
  auto source_buffers = loaded.model->named_buffers();
  for (auto& item : merged.model->named_buffers()) item.value().copy_(source_buffers[item.key()]);
  return merged;
}

torch::ScalarType parse_dtype(const std::string& name) {
  if (name == "float32") return torch::kFloat32;
  if (name == "bfloat16") return torch::kBFloat16;
  if (name == "float16") return torch::kFloat16;
  throw UserError("--dtype " + name + ": choose float32, bfloat16 or float16");
}

void run_export(const ExportOptions& o) {
  if (o.format != "checkpoint" && o.format != "safetensors" && o.format != "hf")
    throw UserError("--format " + o.format + ": choose checkpoint, safetensors or hf");
  const bool safetensors = o.format == "safetensors", hf = o.format == "hf";
  if (!safetensors && !hf && !o.merge_lora)
    throw UserError("export: nothing to do; pass --merge-lora, --format safetensors or --format hf");
  if (!safetensors && !hf && (o.dtype != "float32" || o.no_ema))
    throw UserError("--dtype/--no-ema: only for --format safetensors or hf");
  const torch::ScalarType dtype = parse_dtype(o.dtype);
  if (!std::filesystem::exists(o.checkpoint)) throw UserError("--checkpoint " + o.checkpoint + ": no such file");
  if (std::filesystem::exists(o.out) && std::filesystem::equivalent(o.out, o.checkpoint))
    throw UserError("--out " + o.out + ": is the checkpoint being exported; choose another file");
  if (safetensors && !is_safetensors_path(o.out)) throw UserError("--out " + o.out + ": name a .safetensors file");
  if (hf && std::filesystem::exists(o.out) && !std::filesystem::is_directory(o.out))
    throw UserError("--out " + o.out + ": --format hf writes a folder, and this is a file");
  LoadedModel loaded = load_model(o.checkpoint, torch::kCPU);
  const bool adapters = loaded.model->capabilities().adapters_only;
  if (o.merge_lora && !adapters)
    throw UserError("--merge-lora: " + o.checkpoint + " has no adapters (model.lora_rank is 0)");
  if (adapters) loaded = merged_copy(loaded);

  if (hf) {
    export_hugging_face(loaded, o.out, {dtype, !o.no_ema});
    std::printf("%s\n", std::filesystem::absolute(o.out).string().c_str());
    spdlog::info("{} (GPT, step {}{}) exported to {} in Hugging Face's GPT-2 layout as {}", o.checkpoint,
                 loaded.header.step, adapters ? ", adapters merged" : "", o.out, o.dtype);
    return;
  }
  if (safetensors) {
    export_safetensors(loaded, o.out, {dtype, !o.no_ema});
    std::printf("%s\n", std::filesystem::absolute(o.out).string().c_str());
    spdlog::info("{} ({} model, step {}{}{}) exported to {} as {}", o.checkpoint, loaded.config.model_type(),
                 loaded.header.step, loaded.model->ema && !o.no_ema ? ", EMA weights" : "",
                 adapters ? ", adapters merged" : "", o.out, o.dtype);
    return;
  }
  // The export was trained on the same data as its source.
  const CheckpointHeader header{kCheckpointFormatVersion, GENCLI_VERSION, loaded.config.model_type(),
                                loaded.header.step, loaded.header.config, loaded.header.data_fingerprint};
  save_model_checkpoint(o.out, header, *loaded.model);
  std::printf("%s\n", std::filesystem::absolute(o.out).string().c_str());
  spdlog::info("adapters of {} merged into their base; written to {}", o.checkpoint, o.out);
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "export", "write a checkpoint in another form: safetensors for Python, or with LoRA adapters merged");
  cmd->add_option("--checkpoint", o->checkpoint, "checkpoint (.pt, .safetensors, or a Hugging Face GPT-2 folder)")->required();
  cmd->add_option("--out,-o", o->out, "file to write (.safetensors for --format safetensors; a folder for hf)")->required();
  cmd->add_option("--format", o->format,
                  "checkpoint (default: a gencli checkpoint, with --merge-lora), safetensors (weights under "
                  "their state_dict names, the config in the metadata; LoRA adapters merged in) or hf (a GPT "
                  "as a Hugging Face GPT-2 folder: config.json, model.safetensors, vocab.json, merges.txt)");
  cmd->add_option("--dtype", o->dtype, "safetensors: float32 (default), bfloat16 or float16 for floating-point weights");
  cmd->add_flag("--no-ema", o->no_ema, "safetensors: the raw weights even when the run keeps EMA weights");
  cmd->add_flag("--merge-lora", o->merge_lora, "fold LoRA adapters into the base weights (W + alpha/r B A)");
  cmd->callback([o] { run_export(*o); });
}

}  // namespace gencli::cli
