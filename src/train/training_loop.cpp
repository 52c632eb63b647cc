#include "train/training_loop.h"

#include <cmath>
#include <filesystem>
#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "core/progress.h"
#include "io/checkpoint.h"
#include "models/sample_output.h"
#include "models/sampling.h"
#include "train/checkpoint.h"
#include "train/collectives.h"
#include "train/replica_check.h"
#include "train/ema.h"
#include "train/flop_counter.h"
#include "train/interrupt.h"
#include "train/optimizers.h"
#include "train/tensorboard_log.h"

namespace gencli {

namespace fs = std::filesystem;

namespace {

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

bool all_finite(const StepMetrics& m, std::string* bad) {
  for (const auto& [name, value] : m)
    if (!std::isfinite(value)) {
      *bad = name + " is " + std::to_string(value);
      return false;
    }
  return true;
}

}  // namespace

TrainingLoop::TrainingLoop(const Config& config, const std::string& run_dir, Model& model, PartOptimizers& optimizers,
                           RunInputs& inputs, const torch::Device& device, bool explain)
    : config_(config),
      config_json_(config_to_json(config)),
      out_(run_dir),
      last_(last_checkpoint_path(run_dir)),
      model_(model),
      optimizers_(optimizers),
      inputs_(inputs),
      device_(device),
      precision_(parse_precision(config.train.precision, "train.precision")),
      explain_(explain) {}

TrainingLoop::~TrainingLoop() = default;

void TrainingLoop::set_data_parallel(Collectives* collectives, ExampleRandom random) {
  collectives_ = collectives;
  random_ = std::move(random);
}

bool TrainingLoop::writer() const { return !collectives_ || collectives_->rank() == 0; }

void TrainingLoop::resume() {
  TrainingState state = training_state();
  const CheckpointHeader header = restore_training_checkpoint(last_, device_, state);
  best_val_ = state.best_val_loss;
  best_step_ = state.best_step;
  earlier_energy_ = earlier_energy_totals(state.energy, last_, header.step);
  step_ = first_step_ = last_saved_ = header.step;
  spdlog::info("resumed from {} at step {}", last_, step_);
  if (writer()) repair_best_checkpoint();
}

// A kill between writing the best step's checkpoint and linking best.pt leaves best.pt missing
// or older than the checkpoint says; the step file is still there (it was the newest), so link it.
void TrainingLoop::repair_best_checkpoint() {
  if (best_step_ <= 0) return;
  const std::string best = best_checkpoint_path(out_);
  int64_t held = -1;
  if (fs::exists(best)) {
    try {
      held = open_checkpoint(best).header.step;
    } catch (const UserError&) {
      held = -1;  // unreadable: replace it
    }
  }
  // A newer best.pt is from steps this resume will take again (and, being deterministic, find
  // best again); only a missing or older one is wrong.
  if (held >= best_step_) return;
  const std::string source = existing_step_checkpoint(out_, best_step_);
  if (source.empty()) {
    spdlog::warn("best.pt should hold step {} but that checkpoint is gone; best.pt is left as it is", best_step_);
    return;
  }
  publish_best_checkpoint(out_, source);
  spdlog::info("best.pt repaired: it now holds step {} (val_loss {:.4g})", best_step_, best_val_);
}

void TrainingLoop::run() {
  energy_ = std::make_unique<EnergyMeter>(config_.train, device_.is_cuda(), earlier_energy_);
  if (writer()) metrics_.open((fs::path(out_) / "metrics.jsonl").string(), std::ios::app);
  if (writer() && config_.train.tensorboard)
    tensorboard_ = std::make_unique<TensorboardLog>(out_, config_.train.batch_size, step_);
  install_interrupt_handlers();
  if (collectives_) check_replicas_agree(*collectives_, model_, "at step " + std::to_string(step_));
  Progress progress(step_, config_.train.steps, config_.train.log_every, "step", config_.train.batch_size);
  started_ = std::chrono::steady_clock::now();
  StepContext ctx;
  ctx.batches = inputs_.batches;
  ctx.optimizers = &optimizers_;
  ctx.explain = explain_;
  ctx.random = random_;
  while (step_ < config_.train.steps) {
    const double lr = learning_rate_at(config_.optim, step_, config_.train.steps);
    optimizers_.set_lr(lr);
    ctx.step = step_;
    StepMetrics m = take_step(ctx);
    const bool interrupted = agree_on_step(m);
    check_finite(m);
    share_rank0_buffers();
    if (model_.ema) ema_update(*model_.ema, *model_.ema_target(), config_.train.ema_decay);
    ++step_;
    if (timeline_) {
      timeline_->step_ends.push_back(std::chrono::steady_clock::now());
      timeline_->flops_per_step = flops_per_step_;
      if (timeline_->on_step_end) timeline_->on_step_end(static_cast<int64_t>(timeline_->step_ends.size()));
    }
    if (writer()) progress.update(step_, m, lr);
    after_step(m, lr);
    if (interrupted) {
      if (writer()) progress.finish();
      if (last_saved_ != step_) save_checkpoint();
      throw Interrupted("interrupted at step " + std::to_string(step_) + "; checkpoint saved to " + last_ +
                        " (continue with --resume)");
    }
  }
  if (writer()) progress.finish();
  // Rank 0 may host the rendezvous store: nobody leaves before everyone is done with it.
  if (collectives_) collectives_->barrier("finishing the run");
  model_.on_train_end(explain_);
}

TrainingState TrainingLoop::training_state() {
  TrainingState state;
  state.model = &model_;
  state.optimizers = &optimizers_;
  state.batches = inputs_.batches;
  state.best_val_loss = best_val_;
  state.best_step = best_step_;
  state.device = device_;
  state.example_generator = random_.generator();
  return state;
}

// Data-parallel processes report the mean of their metrics (each its slice's), and stop
// together: one Ctrl-C or SIGTERM, whichever process it reaches first, ends the run for all at
// the same step. Returns whether to stop.
bool TrainingLoop::agree_on_step(StepMetrics& m) {
  if (!collectives_) return interrupt_requested();
  std::vector<double> values;
  for (const auto& [name, value] : m) values.push_back(value);
  values.push_back(interrupt_requested() ? 1.0 : 0.0);
  const std::vector<double> mean = collectives_->mean(values, "step " + std::to_string(step_ + 1) + "'s metrics");
  for (size_t i = 0; i < m.size(); ++i) m[i].second = mean[i];
  return mean.back() > 0;
}

// Buffers a step changes from each process's own slice (BatchNorm's running statistics) would
// drift apart; as PyTorch's DistributedDataParallel does, every process takes rank 0's.
void TrainingLoop::share_rank0_buffers() {
  if (!collectives_) return;
  std::vector<torch::Tensor> buffers = model_.buffers(true);
  if (!buffers.empty()) collectives_->broadcast_from_rank0(buffers, "sharing rank 0's buffers");
}

StepMetrics TrainingLoop::take_step(StepContext& ctx) {
  StepMetrics m;
  {
    AutocastGuard autocast(precision_, device_);
    if (step_ == first_step_) {
      FlopCounter counter;
      m = model_.train_step(ctx);
      flops_per_step_ = counter.flops();
    } else {
      m = model_.train_step(ctx);
    }
  }
  optimizers_.end_step();
  if (const LossScaler& scaler = optimizers_.loss_scaler(); scaler.enabled()) {
    m.emplace_back("loss_scale", scaler.scale());
    m.emplace_back("skipped_steps", static_cast<double>(scaler.skipped_steps()));
  }
  energy_->add_steps(1, flops_per_step_);
  return m;
}

// After agree_on_step, so the processes of a data-parallel run stop together on the mean.
void TrainingLoop::check_finite(const StepMetrics& m) {
  std::string bad;
  // This step's loss came from the weights after step_ steps: bad weights if they were saved.
  if (!all_finite(m, &bad)) throw TrainingDiverged(diverged_at(step_ + 1, bad, /*newest_failed=*/last_saved_ == step_));
}

// The message for a run that diverged at `step`. A checkpoint is good when its weights gave a
// finite loss: when the newest checkpoint's weights are the ones that just failed
// (`newest_failed`), last.pt goes back to the checkpoint before it.
std::string TrainingLoop::diverged_at(int64_t step, const std::string& what, bool newest_failed) {
  std::string kept;
  if (last_saved_ >= 0 && newest_failed && writer()) {
    last_saved_ = roll_back_checkpoint(out_, last_saved_);
    kept = last_saved_ >= 0 ? "; the checkpoint of step " + std::to_string(step - 1) +
                                  " gave that loss, so last.pt is back at step " + std::to_string(last_saved_)
                            : "; the only checkpoint's weights gave that loss and it was removed: no good checkpoint";
  } else if (last_saved_ >= 0) {
    kept = "; the last good checkpoint is " + last_ + " (step " + std::to_string(last_saved_) + ")";
  } else {
    kept = "; no checkpoint was written before it";
  }
  return "training diverged at step " + std::to_string(step) + ": " + what + kept;
}

void TrainingLoop::after_step(StepMetrics& m, double lr) {
  const int64_t every = config_.train.eval_every;
  const bool validate_now = every > 0 && (step_ % every == 0 || step_ == config_.train.steps);
  const bool improved = validate_now && validate(m);
  if (writer() && (step_ % config_.train.log_every == 0 || step_ == config_.train.steps || validate_now)) {
    const nlohmann::json cost = energy_->running_totals();
    write_metrics_line(metrics_, step_, seconds(), lr, m, cost);
    if (tensorboard_) tensorboard_->metrics(step_, seconds(), lr, m, cost);
  }
  if (writer() && config_.train.sample_every > 0 && step_ % config_.train.sample_every == 0) save_samples();
  if (step_ % config_.train.checkpoint_every == 0 || step_ == config_.train.steps || improved)
    save_checkpoint(improved);
}

bool TrainingLoop::validate(StepMetrics& m) {
  Validation v;
  {
    torch::NoGradGuard no_grad;
    AutocastGuard autocast(precision_, device_);
    EvalContext eval;
    eval.test_split = inputs_.held_out;
    model_.eval();
    v = model_.validate(eval);
    model_.train();
  }
  m.emplace_back("val_loss", v.loss);
  std::string details;
  for (const auto& [name, value] : v.details) {
    m.emplace_back(name, value);
    details += fmt::format(" {} {:.4g}", name, value);
  }
  const bool improved = v.loss < best_val_;
  if (improved) best_val_ = v.loss;
  spdlog::info("step {} val_loss {:.4g}{}{}", step_, v.loss, details, improved ? " (best so far)" : "");
  return improved;
}

// Writes the step file, then best.pt (when `best`), then last.pt: a kill in between leaves last.pt
// at the previous checkpoint, and best.pt never older than the checkpoint last.pt says is best.
std::string TrainingLoop::save_checkpoint(bool best) {
  if (collectives_) check_replicas_agree(*collectives_, model_, "at step " + std::to_string(step_));
  if (!writer()) {
    if (best) best_step_ = step_;
    last_saved_ = step_;
    return step_checkpoint_path(out_, step_);
  }
  const int64_t previous_best = best_step_;
  if (best) best_step_ = step_;
  TrainingState state = training_state();
  state.energy = energy_->report();
  const std::string path = step_checkpoint_path(out_, step_);
  CheckpointHeader header{kCheckpointFormatVersion, GENCLI_VERSION, config_.model_type(), step_, config_json_,
                          data_fingerprint_};
  try {
    save_training_checkpoint(path, header, state);
  } catch (const NonFiniteWeights& e) {
    best_step_ = previous_best;
    throw TrainingDiverged(diverged_at(step_, std::string(e.what()) + " after this step, so it was not saved",
                                       /*newest_failed=*/false));
  }
  if (best) {
    publish_best_checkpoint(out_, path);
    spdlog::info("best so far: {} (step {})", best_checkpoint_path(out_), step_);
  }
  publish_checkpoint(out_, path, config_.train.keep_checkpoints);
  last_saved_ = step_;
  return path;
}

// samples/step-N.png (a grid, or a scatter plot), .wav (audio clips) or .txt (text), and the
// same in TensorBoard.
void TrainingLoop::save_samples() {
  const Capabilities& caps = model_.capabilities();
  char name[32];
  std::snprintf(name, sizeof name, "step-%08lld", static_cast<long long>(step_));
  const fs::path stem = fs::path(out_) / "samples" / name;
  AutocastGuard autocast(precision_, device_);
  if (caps.output == Output::text) {
    TextRequest request;
    request.max_new_tokens = kTextSampleTokens;
    request.generator = at::detail::createCPUGenerator(static_cast<uint64_t>(config_.sample.seed));
    const std::string text = model_.sample_text(request);
    fs::create_directories(stem.parent_path());
    write_text_sample(stem.string() + ".txt", text + "\n");
    if (tensorboard_) tensorboard_->text(step_, text);
    return;
  }
  if (!caps.generates_images() && caps.output != Output::audio) return;
  SampleRequest request;
  request.num = config_.sample.num;
  request.use_ema = config_.sample.use_ema;
  request.preview = true;
  if (caps.reads.prompts) {
    if (inputs_.preview_prompts.empty()) return;  // no captions to draw
    request.num = static_cast<int64_t>(inputs_.preview_prompts.size());
    request.prompts = inputs_.preview_prompts;
  }
  if (caps.output == Output::audio) {
    // Autoregressive audio is slow to draw: a preview is one clip of a second.
    request.num = 1;
    request.length = caps.audio_sample_rate;
  }
  torch::Tensor samples =
      draw_samples(model_, request, config_.sample.nrow, -1, static_cast<uint64_t>(config_.sample.seed));
  Provenance provenance;
  provenance.model_type = config_.model_type();
  provenance.checkpoint_sha256 = "none (drawn during training)";
  provenance.seed = config_.sample.seed;
  provenance.step = step_;
  provenance.data_fingerprint = data_fingerprint_;
  SampleFiles files;
  files.out = stem.string() + (caps.output == Output::audio ? ".wav" : ".png");
  write_samples(samples, caps.output, config_.data, config_.sample.nrow, caps.audio_sample_rate, files, provenance);
  if (!tensorboard_) return;
  if (caps.output == Output::audio) {
    tensorboard_->audio_file(step_, files.out);
  } else {
    tensorboard_->image_file(step_, files.out);
  }
}

double TrainingLoop::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

}  // namespace gencli
