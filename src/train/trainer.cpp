#include "train/trainer.h"

#include <chrono>
#include <filesystem>
#include <thread>
#include <spdlog/spdlog.h>

#include "core/config.h"
#include "core/device.h"
#include "core/errors.h"
#include "core/libtorch_build.h"
#include "core/logging.h"
#include "core/precision.h"
#include "core/process_stats.h"
#include "core/runtime_tuning.h"
#include "data/data_fingerprint.h"
#include "io/atomic_file.h"
#include "io/checkpoint.h"
#include "models/config_loading.h"
#include "models/model_weights.h"
#include "models/registry.h"
#include "data/batch_slice.h"
#include "train/collectives.h"
#include "train/ema.h"
#include "train/interrupt.h"
#include "train/launch_environment.h"
#include "train/part_optimizers.h"
#include "train/replica_check.h"
#include "train/run_data.h"
#include "train/run_lock.h"
#include "train/training_loop.h"

namespace gencli {

namespace fs = std::filesystem;

namespace {

// Lets the family fill in model keys that come from the data (GPT's character vocabulary).
void complete_from_data(Config& config) {
  const models::Family& family = models::family(config.model_type());
  if (family.complete_config) family.complete_config(config);
}

// A fresh run must not land on an existing one.
void refuse_existing_run(const std::string& out) {
  const std::string last = last_checkpoint_path(out);
  if (fs::exists(last))
    throw UserError("train: " + out + " already holds a run (" + last +
                    "); pass --resume to continue it, or choose another --out");
}

// Where the run lives: --out, or runs/<name> from the config. A fresh run must not land on an
// existing one, and a resume needs one.
std::string run_folder(const TrainOptions& options) {
  std::string out = options.out_dir;
  if (options.config_path.empty() && !options.resume)
    throw UserError("train: --config is required (or --resume with --out to continue a run)");
  if (out.empty()) {
    if (options.config_path.empty()) throw UserError("train: --resume needs --out (or --config) to find the run");
    out = "runs/" + load_config_file(options.config_path, options.overrides).name;
  }
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec))
    throw UserError("train: --out " + out + ": exists and is not a folder");
  const std::string last = last_checkpoint_path(out);
  if (!options.resume) refuse_existing_run(out);
  if (options.resume && !fs::exists(last)) throw UserError("train: --resume: no checkpoint at " + last);
  return out;
}

// The resolved config: from --config (+ --set), or on --resume from the checkpoint.
Config resolve_config(const TrainOptions& o, const std::string& last_checkpoint) {
  if (!o.resume) {
    if (o.config_path.empty()) throw UserError("train: --config is required (or --resume with --out)");
    Config c = load_config_file(o.config_path, o.overrides);
    record_init_checkpoint(c);
    complete_from_data(c);
    return c;
  }
  const CheckpointHeader header = open_checkpoint(last_checkpoint).header;
  Config c;
  if (!o.config_path.empty()) {
    c = load_config_file(o.config_path, o.overrides);
    c.init.sha256 = header.config.value("init", nlohmann::json::object()).value("sha256", "");
    complete_from_data(c);
  } else {
    nlohmann::json j = header.config;
    for (const auto& s : o.overrides) apply_override(j, s);
    c = config_from_json(j);
  }
  // The architecture comes from the checkpoint; a resume must not silently change it.
  if (c.model != header.config.at("model"))
    throw ConfigError("model: differs from the checkpoint being resumed (" + last_checkpoint +
                      "); the architecture cannot change on --resume");
  return c;
}

// The model (on the CPU), with the weights of init.from (the whole start of a fine-tuning run,
// or the frozen base under adapters, whose checkpoints then hold only the adapters, so a resume
// loads the base too).
std::shared_ptr<Model> build_model(const Config& config, bool resume) {
  std::shared_ptr<Model> model = models::create_model(config);
  const bool adapters_only = model->capabilities().adapters_only;
  if (!config.init.from.empty() && (!resume || adapters_only)) {
    load_init_weights(*model, config);
    spdlog::info("weights from {} (init.from){}", config.init.from, adapters_only ? ", frozen" : "");
  }
  return model;
}

// The EMA copy train.ema_decay asks for, on the model's device.
void attach_ema(Model& model, const Config& config, const torch::Device& device) {
  if (config.train.ema_decay > 0 && !model.ema_target())
    throw ConfigError("train.ema_decay: model.type " + config.model_type() +
                      " keeps no EMA of its weights; set train.ema_decay to 0");
  if (config.train.ema_decay > 0) {
    model.ema = make_ema_copy(*model.ema_target());
    model.ema->to(device);
  }
}

std::string shape_text(const torch::Tensor& batch) {
  std::string text;
  for (int64_t d = 1; d < batch.dim(); ++d) text += (text.empty() ? "" : "x") + std::to_string(batch.size(d));
  return text;
}

// The training batches (when the family needs data) and the held-out split (train.eval_every).
// Each of a data-parallel run's processes takes its slice of every global batch.
RunInputs load_inputs(const Config& config, const Model& model, const torch::Device& device,
                      const LaunchEnvironment& launch) {
  RunInputs inputs;
  const Capabilities& caps = model.capabilities();
  if (caps.needs_data) {
    if (config.data.type == "none") throw ConfigError("data.type: model.type " + config.model_type() + " needs data");
    inputs.data = load_run_data(config, model, device);
    if (launch.distributed())
      inputs.data->batches = std::make_unique<BatchSlice>(std::move(inputs.data->batches), launch.rank, launch.world_size);
    inputs.batches = inputs.data->batches.get();
    spdlog::info("data {}", inputs.data->description);
  }
  if (config.train.eval_every > 0 && !caps.validation_loss)
    throw ConfigError("train.eval_every: model.type " + config.model_type() +
                      " reports no validation loss; set it to 0");
  // The test split is read now even when validation is off, so a corrupt file or a test image
  // of another size fails here, before any step, rather than later in `gencli eval`.
  const bool image_like = caps.needs_data && config.data.type != "text" && config.data.type != "none";
  if (config.train.eval_every > 0 || image_like) {
    Batch test = load_held_out(config, model, device);
    if (image_like && inputs.data && inputs.data->train_images.images.defined() &&
        test.images.sizes().slice(1) != inputs.data->train_images.images.sizes().slice(1))
      throw DataError(config.data.root + ": the test split's examples are " + shape_text(test.images) +
                      " but the training split's are " + shape_text(inputs.data->train_images.images));
    if (config.train.eval_every > 0) inputs.held_out = test;
    // Text-to-image grids during training draw the first test captions, the same at every step.
    if (caps.reads.prompts)
      for (size_t i = 0; i < test.captions.size() && i < static_cast<size_t>(config.sample.num); ++i)
        inputs.preview_prompts.push_back(test.captions[i]);
  }
  return inputs;
}

// Writers killed mid-write leave <file>.tmp.<pid> behind; a live writer's are left alone.
void remove_stale_temporaries(const std::string& dir) {
  for (const auto& entry : fs::directory_iterator(dir))
    if (is_stale_temporary(entry.path().filename().string())) fs::remove(entry.path());
}

// The run folder is made only once the config, device, model and data are known good, so a
// bad input leaves nothing behind. The lock is taken before anything in it is touched.
std::unique_ptr<RunLock> prepare_run_folder(const std::string& out, const nlohmann::json& config_json, bool resume) {
  try {
    fs::create_directories(checkpoint_dir(out));
    fs::create_directories(fs::path(out) / "samples");
  } catch (const fs::filesystem_error& e) {
    throw UserError("train: cannot make the run folder " + out + ": " + e.code().message());
  }
  auto lock = std::make_unique<RunLock>(out);
  // Checked again under the lock: another run may have saved here since run_folder() looked.
  if (!resume) refuse_existing_run(out);
  remove_stale_temporaries(checkpoint_dir(out));
  remove_stale_temporaries(out);
  if (!resume) {
    // An earlier run that died before its first checkpoint left these; this run starts them anew.
    for (const char* name : {"metrics.jsonl", "log.txt", "summary.json"}) fs::remove(fs::path(out) / name);
    fs::remove_all(fs::path(out) / "tensorboard");
  }
  add_log_file((fs::path(out) / "log.txt").string());
  spdlog::info("run folder {}", out);
  write_file_atomically((fs::path(out) / "config.json").string(), config_json.dump(2) + "\n");
  return lock;
}

// A fresh run that fails before its first checkpoint leaves no half-made run behind.
void remove_unfinished_run(const std::string& out, bool folder_was_new) {
  std::error_code ec;
  if (fs::exists(last_checkpoint_path(out), ec)) return;
  for (const char* name : {"config.json", "log.txt", "metrics.jsonl", ".lock"}) fs::remove(fs::path(out) / name, ec);
  fs::remove(checkpoint_dir(out), ec);  // only when empty
  fs::remove(fs::path(out) / "samples", ec);
  fs::remove_all(fs::path(out) / "tensorboard", ec);
  if (folder_was_new) fs::remove(out, ec);
}

// --resume on other data than the run was trained on would silently mix two data sets.
void check_data_unchanged(const std::string& recorded, const std::string& now, const std::string& last, bool allowed) {
  if (recorded.empty() || recorded == now) return;
  if (!allowed)
    throw UserError("train: --resume: the training data changed since " + last + " (fingerprint " + recorded +
                    ", now " + now + "); resume with the same data, or pass --allow-data-change");
  spdlog::warn("the training data changed since {} (fingerprint {}, now {}); continuing (--allow-data-change)", last,
               recorded, now);
}

// train.batch_size is the global batch; each process takes an equal share of it.
void check_batch_divides(const Config& config, const LaunchEnvironment& launch) {
  if (config.train.batch_size % launch.world_size == 0) return;
  throw ConfigError("train.batch_size: " + std::to_string(config.train.batch_size) + " does not divide among " +
                    std::to_string(launch.world_size) + " processes; it is the global batch, so make it a multiple of " +
                    std::to_string(launch.world_size));
}

// On CUDA each process of a machine takes the GPU of its local rank.
torch::Device process_device(const Config& config, const LaunchEnvironment& launch) {
  torch::Device device = resolve_device(config.train.device);
  if (!launch.distributed() || !device.is_cuda() || config.train.device.find(':') != std::string::npos) return device;
  return resolve_device("cuda:" + std::to_string(launch.local_rank));
}

// Draws that are each process's own (dropout masks) come from the global generator, seeded
// apart per rank and per session so no two processes, and no resumed session, repeat them.
void seed_own_draws(const Config& config, const LaunchEnvironment& launch, int64_t step) {
  const uint64_t seed = static_cast<uint64_t>(config.train.seed) * 1000003u + static_cast<uint64_t>(launch.rank) * 7919u +
                        static_cast<uint64_t>(step);
  torch::manual_seed(seed);
}

// The config as the log shows it: long strings (a BPE's vocab.json, a megabyte) by their length
// only. config.json in the run folder and every checkpoint keep them whole.
nlohmann::json shortened_for_the_log(nlohmann::json j) {
  constexpr size_t kLongest = 200;
  if (j.is_string() && j.get_ref<const std::string&>().size() > kLongest)
    return "(" + std::to_string(j.get_ref<const std::string&>().size()) + " bytes; see config.json)";
  if (j.is_structured())
    for (auto& item : j) item = shortened_for_the_log(item);
  return j;
}

}  // namespace

void run_training(const TrainOptions& options) {
  install_interrupt_handlers();  // a Ctrl-C while loading ends cleanly, before anything is written
  const LaunchEnvironment launch = read_launch_environment();
  const bool writer = launch.rank == 0;  // rank 0 writes the run folder and speaks for the run
  if (!writer) spdlog::set_level(spdlog::level::warn);
  const std::string out = run_folder(options);
  const Config config = resolve_config(options, last_checkpoint_path(out));
  spdlog::info("config:\n{}", shortened_for_the_log(config_to_json(config)).dump(2));
  if (const auto& advise = models::family(config.model_type()).advise) advise(config);
  std::unique_ptr<Collectives> collectives;
  if (launch.distributed()) {
    check_batch_divides(config, launch);
    collectives = std::make_unique<Collectives>(launch, process_device(config, launch),
                                                std::chrono::seconds(config.train.dist_timeout_s));
    spdlog::info("data-parallel: {} processes ({} on this machine) over {}; each takes {} of the global batch of "
                 "{}; BatchNorm normalises by each process's slice (its running statistics are rank 0's) and dropout masks "
                 "are each process's own",
                 launch.world_size, launch.local_world_size, collectives->backend() == "nccl" ? "NCCL" : "Gloo",
                 config.train.batch_size / launch.world_size,
                 config.train.batch_size);
  }

  const torch::Device device = process_device(config, launch);
  const Precision precision = parse_precision(config.train.precision, "train.precision");
  check_precision_for_device(precision, device, "train.precision");
  torch::manual_seed(static_cast<uint64_t>(config.train.seed));
  std::shared_ptr<Model> model = build_model(config, options.resume);
  // train.threads 0 means every core; a machine's processes share its cores.
  int64_t thread_count = config.train.threads;
  if (thread_count == 0 && launch.local_world_size > 1)
    thread_count = std::max<int64_t>(1, static_cast<int64_t>(std::thread::hardware_concurrency()) / launch.local_world_size);
  // The thread split depends on what the network spends its time in (see ThreadPlan).
  const ThreadPlan threads = set_cpu_threads(static_cast<int>(thread_count),
                                             static_cast<int>(config.train.intra_op_threads),
                                             model->capabilities().parallel_ops);
  const BlasInfo blas = blas_info();
  spdlog::info("device {}{}, precision {}; CPU threads: {} for matrix products, {} for LibTorch ops; BLAS {} {}{}", device.str(),
               config.train.device == "auto" ? " (auto)" : "", precision_name(precision), threads.blas, threads.intra_op, blas.library, blas.core,
               runtime_tuning_applied().empty() ? "" : " (tuned: " + runtime_tuning_applied() + ")");
  if (const std::string advice = openblas_coretype_advice(blas.core); !advice.empty() && device.is_cpu())
    spdlog::warn("{}", advice);
  model->to(device);
  attach_ema(*model, config, device);
  PartOptimizers optimizers(*model, config.optim, /*scale_losses=*/precision == Precision::fp16);
  optimizers.set_collectives(collectives.get());
  int64_t parameters = 0, trainable_parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  for (const auto& part : model->optimized_parts())
    for (const auto& p : part.parameters) trainable_parameters += p.numel();
  spdlog::info("model {}: trainable parameters {} of {}", config.model_type(), trainable_parameters, parameters);
  RunInputs inputs = load_inputs(config, *model, device, launch);
  const DataFingerprint data = model->capabilities().needs_data ? fingerprint_training_data(config.data)
                                                                 : DataFingerprint{"none"};
  if (model->capabilities().needs_data)
    spdlog::info("data fingerprint {} ({} files, {} bytes)", data.digest, data.files, data.bytes);
  if (options.resume)
    check_data_unchanged(open_checkpoint(last_checkpoint_path(out)).header.data_fingerprint, data.digest,
                         last_checkpoint_path(out), options.allow_data_change);
  if (collectives) check_same_data(*collectives, data.digest, config.data.root);
  if (interrupt_requested()) throw Interrupted("interrupted before training started; nothing was written");

  std::error_code ec;
  const bool folder_was_new = !fs::exists(out, ec);
  const std::unique_ptr<RunLock> lock = writer ? prepare_run_folder(out, config_to_json(config), options.resume) : nullptr;
  // Per-example draws come from one stream every process shares (models/example_random.h),
  // starting where a one-process run's would: the global generator's state here, the same on
  // every process (and on resume, the checkpoint's).
  ExampleRandom random;
  if (collectives) {
    torch::Generator shared = at::detail::createCPUGenerator();
    shared.set_state(at::detail::getDefaultCPUGenerator().get_state());
    random = ExampleRandom(shared, launch.rank, launch.world_size);
  }
  TrainingLoop loop(config, out, *model, optimizers, inputs, device, options.explain);
  loop.set_data_fingerprint(data.digest);
  loop.set_data_parallel(collectives.get(), random);
  if (options.timeline) {
    auto on_step_end = std::move(options.timeline->on_step_end);  // the caller's, kept
    *options.timeline = StepTimeline{};
    options.timeline->on_step_end = std::move(on_step_end);
    options.timeline->batch_size = config.train.batch_size;
    options.timeline->blas_threads = threads.blas;
    options.timeline->intra_op_threads = threads.intra_op;
    options.timeline->device = device.str();
    options.timeline->model_type = config.model_type();
    options.timeline->tuning = runtime_tuning_applied();
    loop.set_timeline(options.timeline);
  }
  try {
    if (options.resume) loop.resume();
    if (collectives) seed_own_draws(config, launch, loop.step());
    loop.run();
  } catch (...) {
    if (!options.resume && writer) remove_unfinished_run(out, folder_was_new);
    throw;
  }
  if (!writer) return;

  const double elapsed = loop.seconds();
  const int64_t steps_run = loop.steps_this_session();
  nlohmann::json summary = {{"steps", loop.step()},
                            {"steps_this_run", steps_run},
                            {"seconds", elapsed},
                            {"steps_per_s", elapsed > 0 ? steps_run / elapsed : 0.0},
                            {"threads", threads.blas},
                            {"intra_op_threads", threads.intra_op},
                            {"device", device.str()},
                            {"precision", precision_name(precision)},
                            {"processes", launch.world_size},
                            {"blas", blas.library + " " + blas.core},
                            {"tuning", runtime_tuning_applied()},
                            {"peak_rss_mb", peak_rss_mb()},
                            {"parameters", parameters},
                            {"trainable_parameters", trainable_parameters},
                            {"energy", loop.energy().report()},
                            {"checkpoint", last_checkpoint_path(out)}};
  if (device.is_cuda()) summary["peak_gpu_mb"] = cuda_peak_allocated_bytes(device.index()) / 1048576.0;
  write_file_atomically((fs::path(out) / "summary.json").string(), summary.dump(2) + "\n");
  spdlog::info("done: {} steps in {:.1f} s ({:.1f} steps/s); {}; checkpoint {}", steps_run, elapsed,
               summary["steps_per_s"].get<double>(), loop.energy().summary(), last_checkpoint_path(out));
}

}  // namespace gencli
