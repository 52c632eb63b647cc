// `gencli eval`: a checkpoint's own scores, and with --features its samples judged (eval/judge.h;
// for canvas data, their prompt adherence: eval/prompt_adherence.h).
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/option_rules.h"
#include "core/device.h"
#include "core/precision.h"
#include "core/errors.h"
#include "core/runtime_tuning.h"
#include "eval/eval_report.h"
#include "eval/family_metrics.h"
#include "eval/judge.h"
#include "eval/prompt_adherence.h"
#include "eval/sample_sets.h"
#include "train/checkpoint.h"

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
  std::string precision = "fp32";
  // Sample quality (--features): the feature network, what to judge, how to sample.
  std::string features;
  std::string real;      // judge this data set's training split instead of a model's samples
  bool noise = false;    // with --real: judge uniform noise instead
  int64_t klass = -1;
  SamplingFlags sampling;  // --sampler, --steps, --guidance, --temperature
};

eval::JudgeSettings judge_settings(const EvalOptions& o, const Config* config) {
  eval::JudgeSettings s;
  s.num = o.num;
  s.seed = static_cast<uint64_t>(o.seed);
  s.klass = o.klass;
  s.data_root = o.data_root;
  if (config) s.sampling.use_ema = config->sample.use_ema;
  s.sampling.sampler = o.sampling.sampler;
  s.sampling.steps = o.sampling.steps;
  s.sampling.guidance = o.sampling.guidance;
  s.sampling.temperature = o.sampling.temperature;
  return s;
}

eval::FamilyMetricsSettings metrics_settings(const EvalOptions& o) {
  return {o.num, o.seed, o.iw_samples, o.test_limit, o.data_root};
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
  if (o.features.empty() && (o.sampling.sampler != "default" || o.sampling.steps != 0 || o.sampling.guidance >= 0 ||
                             o.sampling.temperature != 1.0))
    throw UserError("eval: --sampler/--steps/--guidance/--temperature set how samples are drawn for --features; add --features");
  // Precision/recall needs more than k = 3 points per set, the detection test 4.
  if (!o.features.empty() && o.num < 4)
    throw UserError("eval: --num " + std::to_string(o.num) + ": the sample-quality metrics need at least 4 samples");
}

void run_eval(const EvalOptions& o) {
  check_options(o);
  set_cpu_threads(0);
  const torch::Device device = resolve_device(o.device, "--device");
  const Precision precision = parse_precision(o.precision, "--precision");
  check_precision_for_device(precision, device, "--precision");
  // The feature network first, so a wrong --features fails before minutes of other work.
  std::unique_ptr<eval::FeatureNetwork> network;
  if (!o.features.empty()) network = std::make_unique<eval::FeatureNetwork>(o.features, device);
  eval::EvalReport report;
  report.precision = precision_name(precision);
  AutocastGuard autocast(precision, device);
  if (!o.real.empty()) {
    set_cpu_threads(0, 0, /*parallel_ops=*/true);
    report.subject = o.real;
    report.quality = eval::judge_real(*network, o.real, o.noise, judge_settings(o, nullptr));
  } else {
    LoadedModel loaded = load_model(o.checkpoint, device);
    const Capabilities& caps = loaded.model->capabilities();
    if (network) {
      eval::check_can_generate(*loaded.model, loaded.config, o.klass);
      check_eval_options(o.sampling, caps, loaded.config.model_type());
    }
    set_cpu_threads(0, 0, caps.parallel_ops);
    report.subject = o.checkpoint;
    report.model_type = loaded.config.model_type();
    report.step = loaded.header.step;
    report.data_fingerprint = loaded.header.data_fingerprint;
    report.metrics = eval::family_metrics(loaded, metrics_settings(o), device);
    report.energy = loaded.energy;
    if (network)
      report.quality = loaded.config.data.type == "canvas"
                           ? eval::judge_prompt_adherence(*network, loaded, judge_settings(o, &loaded.config))
                           : eval::judge_samples(*network, loaded, o.checkpoint, judge_settings(o, &loaded.config));
  }
  std::printf("%s", (o.json ? report.to_json().dump(2) + "\n" : report.to_text()).c_str());
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "score a checkpoint, or judge samples or real images with --features");
  cmd->add_option("--checkpoint", o->checkpoint, "checkpoint (.pt), exported model (.safetensors) or a Hugging Face GPT-2 folder");
  cmd->add_flag("--json", o->json, "print the result as JSON");
  cmd->add_option("--num", o->num, "samples to generate (or real images to draw) for sample-based scores")
      ->check(CLI::Range(int64_t{2}, int64_t{1000000}));
  cmd->add_option("--seed", o->seed, "noise seed")->check(integer_in(0));
  cmd->add_option("--iw-samples", o->iw_samples, "importance samples per test image for likelihood bounds (VAE)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  cmd->add_option("--test-limit", o->test_limit, "score only the first N test images, or N validation tokens for text (default: all)")
      ->check(integer_in(0));
  cmd->add_option("--data-root", o->data_root, "test data folder, or text file for data.type text (default: the run's data.root / data.path)");
  cmd->add_option("--device", o->device, "auto, cpu, cuda or cuda:N");
  cmd->add_option("--precision", o->precision, "fp32 (default), bf16, or fp16 (CUDA only): forward passes under autocast");
  cmd->add_option("--features", o->features,
                  "classifier checkpoint (model.type classifier): judge --num samples against the test split in its "
                  "feature space (FID, KID, precision/recall, coverage, detection)");
  cmd->add_option("--real", o->real, "with --features: judge this data set's training split against its test split "
                                     "(the real-vs-real floor) instead of a model");
  cmd->add_flag("--noise", o->noise, "with --real: judge uniform noise instead of the training split");
  cmd->add_option("--class", o->klass, "with --features, conditional models: draw only this class")
      ->check(integer_in(0));
  cmd->add_option("--sampler", o->sampling.sampler, "with --features, diffusion: ddpm (default) or ddim");
  cmd->add_option("--steps", o->sampling.steps, "with --features, diffusion: denoising steps (default: the sampler's)")
      ->check(integer_in(0));
  cmd->add_option("--guidance", o->sampling.guidance,
                  "with --features, guided diffusion: classifier-free guidance scale (default: the config's model.guidance)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--temperature", o->sampling.temperature, "with --features, PixelCNN: sampling temperature")
      ->check(CLI::PositiveNumber);
  cmd->callback([o] { run_eval(*o); });
}

}  // namespace gencli::cli
