#include "train/trainer.h"

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <spdlog/spdlog.h>

#include "core/config.h"
#include "core/device.h"
#include "core/errors.h"
#include "core/logging.h"
#include "core/runtime_tuning.h"
#include "data/image_dataset.h"
#include "train/run_data.h"
#include "data/toy2d_scatter.h"
#include "io/atomic_file.h"
#include "io/checkpoint.h"
#include "io/image_grid.h"
#include "models/model_weights.h"
#include "models/registry.h"
#include "models/sampling.h"
#include "train/ema.h"
#include "train/energy_meter.h"
#include "train/flop_counter.h"
#include "train/interrupt.h"
#include "train/optimizers.h"
#include "train/progress.h"

namespace gencli {

namespace fs = std::filesystem;

namespace {

// The optimizers of a run, one per part the model names; clips then steps.
class PartOptimizers : public Optimizers {
 public:
  PartOptimizers(Model& model, const OptimConfig& config) : config_(config) {
    for (auto& part : model.optimized_parts()) {
      OptimConfig part_config = config;
      if (!part.weight_decay) part_config.weight_decay = 0;
      parts_[part.name] = {part.parameters, make_optimizer(part_config, part.parameters)};
      names_.push_back(part.name);
    }
  }
  void zero_grad(const std::string& part) override { drop_gradients(*get(part).optimizer); }
  void update(const std::string& part) override {
    auto& p = get(part);
    if (config_.grad_clip > 0) torch::nn::utils::clip_grad_norm_(p.parameters, config_.grad_clip);
    p.optimizer->step();
  }
  void set_lr(double lr) {
    for (auto& [name, p] : parts_) set_learning_rate(*p.optimizer, lr);
  }
  void save(torch::serialize::OutputArchive& archive) {
    for (auto& name : names_) {
      torch::serialize::OutputArchive section;
      parts_[name].optimizer->save(section);
      archive.write("optim_" + name, section);
    }
  }
  void load(torch::serialize::InputArchive& archive) {
    for (auto& name : names_) {
      torch::serialize::InputArchive section;
      archive.read("optim_" + name, section);
      parts_[name].optimizer->load(section);
    }
  }

 private:
  struct Part {
    std::vector<torch::Tensor> parameters;
    std::unique_ptr<torch::optim::Optimizer> optimizer;
  };
  Part& get(const std::string& name) {
    auto it = parts_.find(name);
    TORCH_CHECK(it != parts_.end(), "no optimizer for part ", name);
    return it->second;
  }
  const OptimConfig& config_;
  std::map<std::string, Part> parts_;
  std::vector<std::string> names_;
};

// Lets the family fill in model keys that come from the data (GPT's character vocabulary).
void complete_from_data(Config& config) {
  const models::Family& family = models::family(config.model_type());
  if (family.complete_config) family.complete_config(config);
}

// The resolved config: from --config (+ --set), or on --resume from the checkpoint.
Config resolve_config(const TrainOptions& o, const std::string& last_checkpoint, CheckpointHeader* resumed) {
  if (!o.resume) {
    if (o.config_path.empty()) throw UserError("train: --config is required (or --resume with --out)");
    Config c = load_config_file(o.config_path, o.overrides);
    record_init_checkpoint(c);
    complete_from_data(c);
    return c;
  }
  OpenedCheckpoint ckpt = open_checkpoint(last_checkpoint);
  *resumed = ckpt.header;
  Config c;
  if (!o.config_path.empty()) {
    c = load_config_file(o.config_path, o.overrides);
    c.init.sha256 = ckpt.header.config.value("init", nlohmann::json::object()).value("sha256", "");
    complete_from_data(c);
  } else {
    nlohmann::json j = ckpt.header.config;
    for (const auto& s : o.overrides) apply_override(j, s);
    c = config_from_json(j);
  }
  // The architecture comes from the checkpoint; a resume must not silently change it.
  if (c.model != ckpt.header.config.at("model"))
    throw ConfigError("model: differs from the checkpoint being resumed (" + last_checkpoint +
                      "); the architecture cannot change on --resume");
  return c;
}

// One line of metrics.jsonl: the step's metrics, then the run's cost so far.
void write_metrics_line(std::ofstream& out, int64_t step, double seconds, double lr, const StepMetrics& m,
                        const nlohmann::json& cost) {
  nlohmann::json j;
  j["step"] = step;
  j["time_s"] = std::round(seconds * 1000) / 1000;
  j["lr"] = lr;
  for (const auto& [name, value] : m) j[name] = value;
  for (const auto& item : cost.items()) j[item.key()] = item.value();
  out << j.dump() << "\n";
  out.flush();
}

// A process killed while writing a checkpoint leaves its temporary file behind.
void remove_stale_temporaries(const std::string& dir) {
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) fs::remove(entry.path());
}

double peak_rss_mb() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // Linux reports KiB
}

bool all_finite(const StepMetrics& m, std::string* bad) {
  for (const auto& [name, value] : m)
    if (!std::isfinite(value)) {
      *bad = name + " is " + std::to_string(value);
      return false;
    }
  return true;
}

}  // namespace

void run_training(const TrainOptions& options) {
  // Where the run lives: --out, or runs/<name> from the config.
  std::string out = options.out_dir;
  if (options.config_path.empty() && !options.resume)
    throw UserError("train: --config is required (or --resume with --out to continue a run)");
  if (out.empty()) {
    if (options.config_path.empty()) throw UserError("train: --resume needs --out (or --config) to find the run");
    out = "runs/" + load_config_file(options.config_path, options.overrides).name;
  }
  const std::string last = last_checkpoint_path(out);
  if (!options.resume && fs::exists(last))
    throw UserError("train: " + out + " already holds a run (" + last +
                    "); pass --resume to continue it, or choose another --out");
  if (options.resume && !fs::exists(last))
    throw UserError("train: --resume: no checkpoint at " + last);

  CheckpointHeader resumed;
  Config config = resolve_config(options, last, &resumed);
  const nlohmann::json config_json = config_to_json(config);

  spdlog::info("config:\n{}", config_json.dump(2));

  const torch::Device device = resolve_device(config.train.device);
  torch::manual_seed(static_cast<uint64_t>(config.train.seed));
  const models::Family& family = models::family(config.model_type());
  std::shared_ptr<Model> model = family.create(config);
  // Weights from init.from: the whole start of a fine-tuning run, or the frozen base under
  // adapters (whose checkpoints then hold only the adapters, so a resume loads the base too).
  if (!config.init.from.empty() && (!options.resume || model->saves_adapters_only())) {
    load_init_weights(*model, config);
    spdlog::info("weights from {} (init.from){}", config.init.from, model->saves_adapters_only() ? ", frozen" : "");
  }
  // The thread split depends on what the network spends its time in (see ThreadPlan).
  const ThreadPlan threads = set_cpu_threads(static_cast<int>(config.train.threads),
                                             static_cast<int>(config.train.intra_op_threads),
                                             model->prefers_parallel_ops());
  const BlasInfo blas = blas_info();
  spdlog::info("device {}{}; CPU threads: {} for matrix products, {} for LibTorch ops; BLAS {} {}{}", device.str(),
               config.train.device == "auto" ? " (auto)" : "", threads.blas, threads.intra_op, blas.library, blas.core,
               runtime_tuning_applied().empty() ? "" : " (tuned: " + runtime_tuning_applied() + ")");
  model->to(device);
  if (config.train.ema_decay > 0 && !model->ema_target())
    throw ConfigError("train.ema_decay: model.type " + config.model_type() +
                      " keeps no EMA of its weights; set train.ema_decay to 0");
  if (config.train.ema_decay > 0) {
    model->ema = make_ema_copy(*model->ema_target());
    model->ema->to(device);
  }
  PartOptimizers optimizers(*model, config.optim);
  int64_t parameters = 0, trainable_parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  for (const auto& part : model->optimized_parts())
    for (const auto& p : part.parameters) trainable_parameters += p.numel();
  spdlog::info("model {}: trainable parameters {} of {}", config.model_type(), trainable_parameters, parameters);

  std::unique_ptr<RunData> data;
  BatchSource* batches = nullptr;
  if (model->needs_data()) {
    if (config.data.type == "none") throw ConfigError("data.type: model.type " + config.model_type() + " needs data");
    data = load_run_data(config, *model, device);
    batches = data->batches.get();
    spdlog::info("data {}", data->description);
  }
  // Validation every train.eval_every steps, on the held-out split loaded once.
  Batch held_out;
  if (config.train.eval_every > 0) {
    if (!model->has_validation_loss())
      throw ConfigError("train.eval_every: model.type " + config.model_type() +
                        " reports no validation loss; set it to 0");
    held_out = load_held_out(config, *model, device);
  }

  // The run folder is made only once the config, device, model and data are known good,
  // so a bad input leaves nothing behind.
  fs::create_directories(checkpoint_dir(out));
  fs::create_directories(fs::path(out) / "samples");
  remove_stale_temporaries(checkpoint_dir(out));
  add_log_file((fs::path(out) / "log.txt").string());
  spdlog::info("run folder {}", out);
  write_file_atomically((fs::path(out) / "config.json").string(), config_json.dump(2) + "\n");

  int64_t step = 0;
  EnergyTotals earlier_energy;  // the sessions before a resume
  double best_val = std::numeric_limits<double>::infinity();  // the lowest validation loss so far
  if (options.resume) {
    OpenedCheckpoint ckpt = open_checkpoint(last, device);
    torch::serialize::InputArchive section;
    ckpt.archive.read("model", section);
    load_model_weights(*model, section);
    if (model->ema) {
      torch::serialize::InputArchive ema_section;
      if (read_section(ckpt.archive, "ema", ema_section)) model->ema->load(ema_section);
    }
    optimizers.load(ckpt.archive);
    torch::Tensor rng;
    ckpt.archive.read("rng_cpu", rng);
    at::Generator cpu_rng = at::detail::getDefaultCPUGenerator();  // shares the global generator
    cpu_rng.set_state(rng);
    if (batches) {
      torch::serialize::InputArchive order;
      ckpt.archive.read("data_order", order);
      batches->load(order);
    }
    torch::Tensor best;
    if (ckpt.archive.try_read("best_val_loss", best)) best_val = best.item<double>();
    earlier_energy = read_energy_totals(ckpt.archive, last, ckpt.header.step);
    step = ckpt.header.step;
    spdlog::info("resumed from {} at step {}", last, step);
  }

  EnergyMeter energy(config.train, device.is_cuda(), earlier_energy);

  // Saves everything needed to continue exactly, then publishes it as last.pt.
  auto save_checkpoint = [&](int64_t steps_done) {
    torch::serialize::OutputArchive archive;
    write_checkpoint_header(archive, {kCheckpointFormatVersion, GENCLI_VERSION, config.model_type(), steps_done,
                                      config_json});
    torch::serialize::OutputArchive model_section;
    save_model_weights(*model, model_section);
    archive.write("model", model_section);
    if (model->ema) {
      torch::serialize::OutputArchive ema_section;
      model->ema->save(ema_section);
      archive.write("ema", ema_section);
    }
    optimizers.save(archive);
    archive.write("rng_cpu", at::detail::getDefaultCPUGenerator().get_state());
    archive.write("best_val_loss", torch::tensor(best_val, torch::kDouble));
    archive.write("energy", c10::IValue(energy.report().dump()));
    if (batches) {
      torch::serialize::OutputArchive order;
      batches->save(order);
      archive.write("data_order", order);
    }
    const std::string path = step_checkpoint_path(out, steps_done);
    save_archive_atomically(archive, path);
    publish_checkpoint(out, path, config.train.keep_checkpoints);
    return path;
  };

  auto save_samples = [&](int64_t steps_done) {
    if (!model->generates_images()) return;
    SampleRequest request;
    request.num = config.sample.num;
    request.use_ema = config.sample.use_ema;
    request.preview = true;
    torch::Tensor images =
        draw_samples(*model, request, config.sample.nrow, -1, static_cast<uint64_t>(config.sample.seed));
    char name[32];
    std::snprintf(name, sizeof name, "step-%08lld.png", static_cast<long long>(steps_done));
    const std::string path = (fs::path(out) / "samples" / name).string();
    const png::TextChunks provenance = {{"Software", std::string("gencli ") + GENCLI_VERSION},
                                        {"gencli:model_type", config.model_type()},
                                        {"gencli:checkpoint_sha256", "none (drawn during training)"},
                                        {"gencli:seed", std::to_string(config.sample.seed)},
                                        {"gencli:step", std::to_string(steps_done)}};
    if (config.data.type == "toy2d")
      save_toy2d_scatter(path, images, config.data, provenance);
    else
      save_grid_png(path, to_unit_range(images, config.data.range), config.sample.nrow, provenance);
  };

  auto validation_loss = [&] {
    torch::NoGradGuard no_grad;
    EvalContext eval;
    eval.test_split = held_out;
    model->eval();
    const double loss = model->validation_loss(eval);
    model->train();
    return loss;
  };

  std::ofstream metrics((fs::path(out) / "metrics.jsonl").string(), std::ios::app);
  install_interrupt_handlers();
  Progress progress(step, config.train.steps, config.train.log_every);
  const auto started = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  int64_t last_saved = options.resume ? step : -1;
  const int64_t first_step = step;
  double flops_per_step = 0;  // counted on this session's first step

  StepContext ctx;
  ctx.batches = batches;
  ctx.optimizers = &optimizers;
  ctx.explain = options.explain;

  while (step < config.train.steps) {
    const double lr = learning_rate_at(config.optim, step, config.train.steps);
    optimizers.set_lr(lr);
    ctx.step = step;
    StepMetrics m;
    if (step == first_step) {
      FlopCounter counter;
      m = model->train_step(ctx);
      flops_per_step = counter.flops();
    } else {
      m = model->train_step(ctx);
    }
    energy.add_steps(1, flops_per_step);
    std::string bad;
    if (!all_finite(m, &bad))
      throw TrainingDiverged("training diverged at step " + std::to_string(step + 1) + ": " + bad +
                             (last_saved >= 0 ? "; the last good checkpoint is " + last + " (step " +
                                                    std::to_string(last_saved) + ")"
                                              : "; no checkpoint was written before it"));
    if (model->ema) ema_update(*model->ema, *model->ema_target(), config.train.ema_decay);
    ++step;
    progress.update(step, m, lr);
    const bool validate_now = config.train.eval_every > 0 && (step % config.train.eval_every == 0 || step == config.train.steps);
    bool improved = false;
    if (validate_now) {
      const double val = validation_loss();
      m.emplace_back("val_loss", val);
      std::string details;
      for (const auto& [name, value] : model->validation_details()) {
        m.emplace_back(name, value);
        details += fmt::format(" {} {:.4g}", name, value);
      }
      improved = val < best_val;
      if (improved) best_val = val;
      spdlog::info("step {} val_loss {:.4g}{}{}", step, val, details, improved ? " (best so far: best.pt)" : "");
    }
    if (step % config.train.log_every == 0 || step == config.train.steps || validate_now)
      write_metrics_line(metrics, step, seconds(), lr, m, energy.running_totals());
    if (config.train.sample_every > 0 && step % config.train.sample_every == 0) save_samples(step);
    if (step % config.train.checkpoint_every == 0 || step == config.train.steps || improved) {
      const std::string path = save_checkpoint(step);
      last_saved = step;
      if (improved) publish_best_checkpoint(out, path);
    }
    if (interrupt_requested()) {
      progress.finish();
      if (last_saved != step) save_checkpoint(step);
      throw Interrupted("interrupted at step " + std::to_string(step) + "; checkpoint saved to " + last +
                        " (continue with --resume)");
    }
  }
  progress.finish();
  model->on_train_end(options.explain);

  const double elapsed = seconds();
  const int64_t steps_run = step - (options.resume ? resumed.step : 0);
  nlohmann::json summary = {{"steps", step},
                            {"steps_this_run", steps_run},
                            {"seconds", elapsed},
                            {"steps_per_s", elapsed > 0 ? steps_run / elapsed : 0.0},
                            {"threads", threads.blas},
                            {"intra_op_threads", threads.intra_op},
                            {"device", device.str()},
                            {"blas", blas.library + " " + blas.core},
                            {"tuning", runtime_tuning_applied()},
                            {"peak_rss_mb", peak_rss_mb()},
                            {"parameters", parameters},
                            {"trainable_parameters", trainable_parameters},
                            {"energy", energy.report()},
                            {"checkpoint", last}};
  write_file_atomically((fs::path(out) / "summary.json").string(), summary.dump(2) + "\n");
  spdlog::info("done: {} steps in {:.1f} s ({:.1f} steps/s); {}; checkpoint {}", steps_run, elapsed,
               summary["steps_per_s"].get<double>(), energy.summary(), last);
}

}  // namespace gencli
