#include "train/checkpoint.h"

#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "core/torch_compat.h"
#include "io/sha256.h"
#include "models/config_loading.h"
#include "models/gpt/hugging_face.h"
#include "models/model_weights.h"
#include "models/registry.h"
#include "train/ema.h"
#include "train/hugging_face_model.h"
#include "train/safetensors_model.h"

namespace gencli {

namespace key = checkpoint_key;

namespace {

// The first parameter or buffer of `module` with a NaN or infinite entry, or empty.
std::string first_non_finite(const torch::nn::Module& module) {
  for (const auto& p : module.named_parameters(/*recurse=*/true))
    if (!torch::isfinite(p.value()).all().item<bool>()) return p.key();
  for (const auto& b : module.named_buffers(/*recurse=*/true))
    if (b.value().is_floating_point() && !torch::isfinite(b.value()).all().item<bool>()) return b.key();
  return "";
}

void check_finite_for_save(Model& model) {
  if (const std::string bad = first_non_finite(model); !bad.empty())
    throw NonFiniteWeights("weight " + bad + " is NaN or infinite");
  if (model.ema)
    if (const std::string bad = first_non_finite(*model.ema); !bad.empty())
      throw NonFiniteWeights("EMA weight " + bad + " is NaN or infinite");
}

void check_finite_after_load(Model& model, const std::string& path) {
  if (const std::string bad = first_non_finite(model); !bad.empty())
    throw UserError("checkpoint error: " + path + ": weight " + bad + " holds NaN or infinite values");
  if (model.ema)
    if (const std::string bad = first_non_finite(*model.ema); !bad.empty())
      throw UserError("checkpoint error: " + path + ": EMA weight " + bad + " holds NaN or infinite values");
}

void write_model(torch::serialize::OutputArchive& archive, Model& model) {
  check_finite_for_save(model);
  torch::serialize::OutputArchive weights;
  save_model_weights(model, weights);
  archive.write(key::kModel, weights);
  if (model.ema) {
    torch::serialize::OutputArchive ema;
    model.ema->save(ema);
    archive.write(key::kEma, ema);
  }
}

// The model's weights, and its EMA copy when the checkpoint has one (made here if the model
// has none yet, for inference). A mismatch with the architecture names the path.
void read_model(torch::serialize::InputArchive& archive, const std::string& path, Model& model, bool make_ema) {
  torch::serialize::InputArchive weights;
  if (!read_section(archive, key::kModel, weights))
    throw UserError("checkpoint error: " + path + ": it holds no model weights");
  try {
    load_model_weights(model, weights);
  } catch (const UserError& e) {
    throw UserError("checkpoint error: " + path + ": " + e.what());
  } catch (const c10::Error& e) {
    throw UserError("checkpoint error: " + path + ": weights do not match the architecture in its config");
  }
  torch::serialize::InputArchive ema;
  if (model.ema_target() && read_section(archive, key::kEma, ema) && (model.ema || make_ema)) {
    if (!model.ema) model.ema = make_ema_copy(*model.ema_target());
    try {
      model.ema->load(ema);
    } catch (const c10::Error&) {
      throw UserError("checkpoint error: " + path + ": EMA weights do not match the architecture in its config");
    }
  }
  check_finite_after_load(model, path);
}

// The energy report as JSON, or null for checkpoints saved before it existed.
nlohmann::json read_energy(torch::serialize::InputArchive& archive, const std::string& path) {
  c10::IValue text;
  if (!archive.try_read(key::kEnergy, text) || !text.isString()) return nullptr;
  try {
    return nlohmann::json::parse(text.toStringRef());
  } catch (const nlohmann::json::exception& e) {
    throw UserError("checkpoint error: " + path + ": unreadable energy report (" + e.what() + ")");
  }
}

// The default generator of CUDA device `device` (shared, like the CPU one).
at::Generator cuda_generator(const torch::Device& device) {
  return at::globalContext().defaultGenerator(device);
}

// Resuming on a GPU continues its generator where the checkpoint left it when the run was on a
// GPU too. A run moved between device kinds cannot continue bit for bit: say so.
void restore_cuda_generator(torch::serialize::InputArchive& archive, const std::string& path,
                            const torch::Device& device) {
  torch::Tensor state;
  const bool saved = archive.try_read(key::kRngCuda, state);
  if (device.is_cuda() && saved) {
    at::Generator generator = cuda_generator(device);
    generator.set_state(state.cpu());
  } else if (device.is_cuda()) {
    spdlog::warn("{} was trained on the CPU: the weights and optimizer state move to {}, but its random draws "
                 "there differ from the CPU's, so the run does not continue bit for bit", path, device.str());
  } else if (saved) {
    spdlog::warn("{} was trained on a CUDA GPU: the weights and optimizer state move to the CPU, but its "
                 "random draws differ from the GPU's, so the run does not continue bit for bit", path);
  }
}

}  // namespace

void save_training_checkpoint(const std::string& path, const CheckpointHeader& header, const TrainingState& state) {
  torch::serialize::OutputArchive archive;
  write_checkpoint_header(archive, header);
  write_model(archive, *state.model);
  for (const auto& name : state.optimizers->names()) {
    torch::serialize::OutputArchive section;
    state.optimizers->optimizer(name).save(section);
    archive.write(key::kOptimizerPrefix + name, section);
  }
  archive.write(key::kRngCpu, state.example_generator.get_state());
  if (state.device.is_cuda()) archive.write(key::kRngCuda, cuda_generator(state.device).get_state());
  if (const LossScaler& scaler = state.optimizers->loss_scaler(); scaler.enabled()) {
    torch::serialize::OutputArchive section;
    scaler.save(section);
    archive.write(key::kLossScaler, section);
  }
  archive.write(key::kBestValLoss, torch::tensor(state.best_val_loss, torch::kDouble));
  archive.write(key::kBestStep, c10::IValue(state.best_step));
  archive.write(key::kEnergy, c10::IValue(state.energy.dump()));
  if (state.batches) {
    torch::serialize::OutputArchive order;
    state.batches->save(order);
    archive.write(key::kDataOrder, order);
  }
  save_archive_atomically(archive, path);
}

CheckpointHeader restore_training_checkpoint(const std::string& path, const torch::Device& device,
                                             TrainingState& state) {
  OpenedCheckpoint ckpt = open_checkpoint(path, device);
  read_model(ckpt.archive, path, *state.model, /*make_ema=*/false);
  // What LibTorch says about a missing key or a state of the wrong shape names neither; the
  // part being read is known here.
  std::string part;
  try {
    for (const auto& name : state.optimizers->names()) {
      part = "the optimizer state of " + name;
      torch::serialize::InputArchive section;
      ckpt.archive.read(key::kOptimizerPrefix + name, section);
      if (!torch_compat::optimizer_state_keys_readable(section))
        throw UserError("its optimizer state (" + name + ") was written by LibTorch 1.x, whose parameter keys " +
                        "LibTorch " + TORCH_VERSION + " cannot map back; resume it with a gencli built on LibTorch " +
                        "1.13, or start a new run from its weights (init.from)");
      state.optimizers->optimizer(name).load(section);
    }
    part = "the random generator state";
    torch::Tensor rng;
    ckpt.archive.read(key::kRngCpu, rng);
    at::Generator cpu_rng = state.example_generator;  // shares the generator
    cpu_rng.set_state(rng.cpu());  // the archive was mapped to `device`; generator states live on the host
    restore_cuda_generator(ckpt.archive, path, device);
    if (LossScaler& scaler = state.optimizers->loss_scaler(); scaler.enabled()) {
      part = "the loss scaler";
      torch::serialize::InputArchive section;
      if (read_section(ckpt.archive, key::kLossScaler, section))
        scaler.load(section);
      else
        spdlog::info("{} was saved without float16 loss scaling; the scaler starts at {}", path, scaler.scale());
    }
    if (state.batches) {
      part = "the data order";
      torch::serialize::InputArchive order;
      ckpt.archive.read(key::kDataOrder, order);
      state.batches->load(order);
    }
  } catch (const c10::Error&) {
    throw UserError("checkpoint error: " + path + ": cannot restore " + part + " (missing or of another shape)");
  } catch (const UserError& e) {
    throw UserError("checkpoint error: " + path + ": " + e.what());
  }
  torch::Tensor best;
  if (ckpt.archive.try_read(key::kBestValLoss, best)) state.best_val_loss = best.item<double>();
  c10::IValue best_step;
  if (ckpt.archive.try_read(key::kBestStep, best_step) && best_step.isInt()) state.best_step = best_step.toInt();
  state.energy = read_energy(ckpt.archive, path);
  return ckpt.header;
}

void save_model_checkpoint(const std::string& path, const CheckpointHeader& header, Model& model) {
  torch::serialize::OutputArchive archive;
  write_checkpoint_header(archive, header);
  write_model(archive, model);
  save_archive_atomically(archive, path);
}

LoadedModel load_model(const std::string& path, const torch::Device& device) {
  if (is_safetensors_path(path)) return load_safetensors_model(path, device);
  if (gpt::is_hugging_face_folder(path)) return load_hugging_face_model(path, device);
  OpenedCheckpoint ckpt = open_checkpoint(path, device);
  LoadedModel loaded;
  loaded.header = ckpt.header;
  loaded.config = config_from_json(ckpt.header.config);
  loaded.model = models::create_model(loaded.config);
  if (loaded.model->capabilities().adapters_only) load_init_weights(*loaded.model, loaded.config);
  read_model(ckpt.archive, path, *loaded.model, /*make_ema=*/true);
  loaded.model->to(device);
  if (loaded.model->ema) loaded.model->ema->to(device);
  loaded.sha256 = sha256_file_hex(path);
  loaded.energy = read_energy(ckpt.archive, path);
  return loaded;
}

}  // namespace gencli
