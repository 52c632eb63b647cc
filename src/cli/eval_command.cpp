#include <cstdio>
#include <memory>
#include <spdlog/fmt/fmt.h>

#include "cli/commands.h"
#include "cli/eval_report.h"
#include "core/device.h"
#include "core/errors.h"
#include "core/runtime_tuning.h"
#include "data/image_dataset.h"
#include "data/toy2d.h"
#include "data/toy2d_scatter.h"
#include "eval/sample_quality.h"
#include "eval/sample_sets.h"
#include "models/load_checkpoint.h"
#include "models/sampling.h"
#include "train/run_data.h"

namespace gencli::cli {

namespace {

struct EvalOptions {
  std::string checkpoint;
  bool json = false;
  int64_t num = 1000;
  int64_t seed = 1234;
  int64_t iw_samples = 100;
  int64_t test_limit = 0;
  std::string data_root;
  std::string device = "auto";
  // Sample quality (--features): the feature network, what to judge, how to sample.
  std::string features;
  std::string real;      // judge this data set's training split instead of a model's samples
  bool noise = false;    // with --real: judge uniform noise instead
  int64_t klass = -1;
  std::string sampler = "default";
  int64_t steps = 0;
  double temperature = 1.0;
};

// data.type "toy2d" with modes (ring8, grid25): how many modes --num samples from the prior
// reach, scored the same way for every family. Conditional models cycle through the labels.
void add_toy2d_coverage(Model& model, const Config& config, const EvalOptions& o, nlohmann::json& result) {
  if (toy2d_mode_centres(config.data.toy, config.data.range).empty()) return;
  SampleRequest request;
  request.num = o.num;
  request.use_ema = config.sample.use_ema;
  torch::Tensor points = toy2d_points(draw_samples(model, request, 1, -1, static_cast<uint64_t>(o.seed)));
  const ToyCoverage c = toy2d_coverage(points, config.data.toy, config.data.range);
  result["toy_modes_total"] = c.modes_total;
  result["toy_modes_covered"] = c.modes_covered;
  result["toy_mean_distance"] = c.mean_distance;
  result["toy_high_quality"] = c.high_quality;
}

// The family's own scores (likelihoods, reconstruction, ...) on the run's held-out split.
nlohmann::json family_metrics(LoadedModel& loaded, const EvalOptions& o, const torch::Device& device) {
  ImageDataset test_set;
  std::unique_ptr<SequentialBatches> test_batches;
  EvalContext ctx;
  ctx.num_samples = o.num;
  ctx.seed = o.seed;
  ctx.iw_samples = o.iw_samples;
  if (loaded.model->needs_data()) {
    Config config = loaded.config;
    if (!o.data_root.empty()) (config.data.type == "text" ? config.data.path : config.data.root) = o.data_root;
    ctx.test_split = load_held_out(config, *loaded.model, device, o.test_limit);
    if (ctx.test_split.images.defined()) {
      test_set = {ctx.test_split.images, ctx.test_split.labels};
      test_batches = std::make_unique<SequentialBatches>(test_set, 256);
      ctx.test_batches = test_batches.get();
      ctx.test_size = test_set.size();
    } else {
      ctx.test_size = ctx.test_split.tokens.size(1);
    }
  }
  torch::NoGradGuard no_grad;
  loaded.model->eval();
  nlohmann::json result = loaded.model->evaluate(ctx);
  if (loaded.config.data.type == "toy2d") add_toy2d_coverage(*loaded.model, loaded.config, o, result);
  return result;
}

SampleRequest sampling_settings(const EvalOptions& o, const LoadedModel& loaded) {
  const Model& model = *loaded.model;
  const std::string type = loaded.config.model_type();
  if (!model.uses_sampler_settings() && (o.sampler != "default" || o.steps != 0))
    throw UserError("--sampler/--steps: model.type " + type + " has no iterative sampler");
  if (!model.uses_temperature() && o.temperature != 1.0)
    throw UserError("--temperature: model.type " + type + " does not draw from categorical outputs");
  SampleRequest r;
  r.use_ema = loaded.config.sample.use_ema;
  r.sampler = o.sampler;
  r.steps = o.steps;
  r.temperature = o.temperature;
  return r;
}

std::string describe_split(const DataConfig& data, bool test, int64_t n) {
  return fmt::format("{} split of {} ({} images)", test ? "test" : "training", data.root, n);
}

eval::QualitySettings quality_settings(const EvalOptions& o) {
  eval::QualitySettings settings;
  settings.seed = static_cast<uint64_t>(o.seed);
  return settings;
}

// Real images as `model` sees them (Model::data_as_modelled: PixelCNN's binary or few-level
// pixels), with a note for the report when that changed them; unchanged without a model.
torch::Tensor as_modelled(const Model* model, const torch::Tensor& images, uint64_t seed, std::string* name) {
  if (!model) return images;
  torch::Tensor seen = model->data_as_modelled(images, at::detail::createCPUGenerator(seed));
  if (!torch::equal(seen, images))
    *name += fmt::format(", as the model's pixel model sees them (binarized or cut to its levels, seed {})", seed);
  return seen;
}

// The same metrics for real training images against the test split: what a perfect model
// would score with this many samples, printed beside the model's numbers.
nlohmann::json real_floor(eval::FeatureNetwork& network, const DataConfig& data, const eval::QualitySets& reference,
                          const Model* model, const EvalOptions& o) {
  const uint64_t seed = static_cast<uint64_t>(o.seed);
  const eval::ImageSet train = eval::load_real_split(data, /*test_split=*/false);
  eval::QualitySets sets = reference;
  sets.intended_labels = torch::Tensor();
  sets.candidates_name = fmt::format("{} random images of the {}", std::min(o.num, train.images.size(0)),
                                     describe_split(data, false, train.images.size(0)));
  sets.candidates = as_modelled(model, eval::random_subset(train, o.num, seed).images, seed + 1, &sets.candidates_name);
  return eval::sample_quality(network, sets, quality_settings(o));
}

// The test split the candidates are judged against.
eval::QualitySets reference_split(const DataConfig& data, const Model* model, uint64_t seed) {
  eval::QualitySets sets;
  const eval::ImageSet test = eval::load_real_split(data, /*test_split=*/true);
  sets.reference_name = describe_split(data, true, test.images.size(0));
  sets.reference = as_modelled(model, test.images, seed, &sets.reference_name);
  return sets;
}

// --features with --checkpoint: the model's samples against the test split of its own data,
// with the real-vs-real floor beside them.
nlohmann::json judge_samples(eval::FeatureNetwork& network, LoadedModel& loaded, const EvalOptions& o) {
  const uint64_t seed = static_cast<uint64_t>(o.seed);
  DataConfig data = loaded.config.data;
  if (!o.data_root.empty()) data.root = o.data_root;
  eval::QualitySets sets = reference_split(data, loaded.model.get(), seed);
  const eval::ImageSet samples =
      eval::generate_samples(*loaded.model, loaded.config, sampling_settings(o, loaded), o.num, o.klass, seed);
  set_cpu_threads(0, 0, /*parallel_ops=*/true);  // the feature and detection networks are convolutional
  sets.candidates = samples.images;
  sets.intended_labels = samples.labels;
  sets.candidates_name = fmt::format("{} samples of {}{}", o.num, o.checkpoint,
                                     o.klass >= 0 ? fmt::format(" (class {})", o.klass) : "");
  nlohmann::json quality = eval::sample_quality(network, sets, quality_settings(o));
  quality["floor"] = real_floor(network, data, sets, loaded.model.get(), o);
  return quality;
}

// --real: the data set's own training split (or noise) against its test split, the floor (or
// the ceiling) to read a model's scores against.
nlohmann::json judge_real(eval::FeatureNetwork& network, const EvalOptions& o) {
  const uint64_t seed = static_cast<uint64_t>(o.seed);
  DataConfig data = network.config().data;
  data.root = o.real;
  eval::QualitySets sets = reference_split(data, nullptr, seed);
  if (!o.noise) return real_floor(network, data, sets, nullptr, o);
  sets.candidates = eval::uniform_noise(sets.reference, o.num, seed).images;
  sets.candidates_name = fmt::format("{} images of uniform noise", o.num);
  return eval::sample_quality(network, sets, quality_settings(o));
}

void check_options(const EvalOptions& o) {
  if (o.checkpoint.empty() && o.real.empty())
    throw UserError("eval: pass --checkpoint CKPT, or --real DATA_DIR with --features CLASSIFIER_CKPT");
  if (!o.real.empty() && !o.checkpoint.empty())
    throw UserError("eval: --real " + o.real + " judges real images; drop --checkpoint (or drop --real)");
  if (!o.real.empty() && o.features.empty())
    throw UserError("eval: --real " + o.real + " needs --features CLASSIFIER_CKPT");
  if (o.noise && o.real.empty()) throw UserError("eval: --noise needs --real DATA_DIR (its test split is the reference)");
  if (o.klass >= 0 && o.features.empty()) throw UserError("eval: --class needs --features CLASSIFIER_CKPT");
  if (o.klass >= 0 && !o.real.empty()) throw UserError("eval: --class " + std::to_string(o.klass) + " is for a conditional model's samples, not --real");
  if (o.features.empty() && (o.sampler != "default" || o.steps != 0 || o.temperature != 1.0))
    throw UserError("eval: --sampler/--steps/--temperature set how samples are drawn for --features; add --features");
  // Precision/recall needs more than k = 3 points per set, the detection test 4.
  if (!o.features.empty() && o.num < 4)
    throw UserError("eval: --num " + std::to_string(o.num) + ": the sample-quality metrics need at least 4 samples");
}

void run_eval(const EvalOptions& o) {
  check_options(o);
  set_cpu_threads(0);
  const torch::Device device = resolve_device(o.device);
  // The feature network first, so a wrong --features fails before minutes of other work.
  std::unique_ptr<eval::FeatureNetwork> network;
  if (!o.features.empty()) network = std::make_unique<eval::FeatureNetwork>(o.features, device);
  EvalReport report;
  if (!o.real.empty()) {
    set_cpu_threads(0, 0, /*parallel_ops=*/true);
    report.subject = o.real;
    report.quality = judge_real(*network, o);
  } else {
    LoadedModel loaded = load_model(o.checkpoint, device);
    if (network) {
      eval::check_can_generate(*loaded.model, loaded.config, o.klass);
      sampling_settings(o, loaded);
    }
    set_cpu_threads(0, 0, loaded.model->prefers_parallel_ops());
    report.subject = o.checkpoint;
    report.model_type = loaded.config.model_type();
    report.step = loaded.header.step;
    report.metrics = family_metrics(loaded, o, device);
    report.energy = loaded.energy;
    if (network) report.quality = judge_samples(*network, loaded, o);
  }
  std::printf("%s", (o.json ? report.to_json().dump(2) + "\n" : report.to_text()).c_str());
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "score a checkpoint, or judge samples or real images with --features");
  cmd->add_option("--checkpoint", o->checkpoint, "checkpoint file (.pt)");
  cmd->add_flag("--json", o->json, "print the result as JSON");
  cmd->add_option("--num", o->num, "samples to generate (or real images to draw) for sample-based scores")
      ->check(CLI::Range(int64_t{2}, int64_t{1000000}));
  cmd->add_option("--seed", o->seed, "noise seed")->check(CLI::NonNegativeNumber);
  cmd->add_option("--iw-samples", o->iw_samples, "importance samples per test image for likelihood bounds (VAE)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  cmd->add_option("--test-limit", o->test_limit, "score only the first N test images, or N validation tokens for text (default: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--data-root", o->data_root, "test data folder, or text file for data.type text (default: the run's data.root / data.path)");
  cmd->add_option("--device", o->device, "auto, cpu, cuda or cuda:N");
  cmd->add_option("--features", o->features,
                  "classifier checkpoint (model.type classifier): judge --num samples against the test split in its "
                  "feature space (FID, KID, precision/recall, coverage, detection)");
  cmd->add_option("--real", o->real, "with --features: judge this data set's training split against its test split "
                                     "(the real-vs-real floor) instead of a model");
  cmd->add_flag("--noise", o->noise, "with --real: judge uniform noise instead of the training split");
  cmd->add_option("--class", o->klass, "with --features, conditional models: draw only this class")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--sampler", o->sampler, "with --features, diffusion: ddpm (default) or ddim");
  cmd->add_option("--steps", o->steps, "with --features, diffusion: denoising steps (default: the sampler's)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--temperature", o->temperature, "with --features, PixelCNN: sampling temperature")
      ->check(CLI::PositiveNumber);
  cmd->callback([o] { run_eval(*o); });
}

}  // namespace gencli::cli
