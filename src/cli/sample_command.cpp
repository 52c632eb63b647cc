#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "core/device.h"
#include "core/errors.h"
#include "core/runtime_tuning.h"
#include "data/image_dataset.h"
#include "data/toy2d_scatter.h"
#include "io/atomic_file.h"
#include "io/image_grid.h"
#include "io/npy.h"
#include "io/wav.h"
#include "models/load_checkpoint.h"
#include "models/sampling.h"
#include "train/progress.h"

namespace gencli::cli {

namespace {

constexpr const char* kDefaultImageOut = "samples.png";

// --num, --nrow and --seed default to the checkpoint's `sample` section.
struct SampleOptions {
  std::string checkpoint;
  int64_t num = -1;
  int64_t nrow = -1;
  std::string out = kDefaultImageOut;
  int64_t seed = -1;
  int64_t klass = -1;  // -1: every class, one row each
  std::string npy;
  std::string device = "auto";
  bool no_ema = false;
  std::string mode = "prior";
  int64_t pairs = 8;
  int64_t steps = 0;
  std::string corrupt;  // empty: the mode's default
  std::string mask;
  int64_t resample = 1;
  std::string sampler = "default";
  double eta = 0.0;
  double guidance = -1.0;
  std::string data_root;
  double temperature = 1.0;
  int64_t given_rows = 14;
  double seconds = 1.0;
  bool no_cache = false;
  std::string prompt;
  int64_t max_new_tokens = 200;
  int64_t top_k = 0;
  double top_p = 1.0;
};

SampleRequest sampler_settings(const SampleOptions& o, const Model& model) {
  SampleRequest r;
  r.use_ema = !o.no_ema;
  r.sampler = o.sampler;
  r.steps = o.steps;
  r.eta = o.eta;
  r.guidance = o.guidance;
  r.temperature = o.temperature;
  r.use_cache = !o.no_cache;
  if (model.audio_sample_rate() > 0) r.length = std::llround(o.seconds * model.audio_sample_rate());
  // A bar on a terminal, else a line every tenth of the way; made on the first call, when
  // the number of steps is known.
  auto bar = std::make_shared<std::unique_ptr<Progress>>();
  const std::string unit = model.sampling_step_name();
  r.progress = [bar, unit](int64_t done, int64_t total) {
    if (!*bar) *bar = std::make_unique<Progress>(0, total, std::max<int64_t>(1, total / 10), unit);
    (*bar)->update(done, {});
    if (done == total) {
      (*bar)->finish();
      bar->reset();
    }
  };
  return r;
}

// The family's mode of that name, or a UserError listing the modes it has.
SampleMode find_mode(const Model& model, const std::string& name, const std::string& model_type) {
  std::string known = "prior";
  for (const auto& m : model.sample_modes()) {
    if (m.name == name) return m;
    known += ", " + m.name;
  }
  throw UserError("--mode " + name + ": not a sample mode of model.type " + model_type + " (known: " + known + ")");
}

// Runs a mode other than "prior": loads the test split when the mode works on data.
ModeResult run_mode(LoadedModel& loaded, const SampleOptions& o, const torch::Device& device) {
  const SampleMode mode = find_mode(*loaded.model, o.mode, loaded.config.model_type());
  ModeRequest request;
  request.mode = o.mode;
  request.sampling = sampler_settings(o, *loaded.model);
  request.sampling.num = o.num;
  request.sampling.generator = at::detail::createCPUGenerator(static_cast<uint64_t>(o.seed));
  request.nrow = o.nrow;
  request.pairs = o.pairs;
  request.corrupt = o.mask.empty() ? o.corrupt : "mask:" + o.mask;
  request.klass = o.klass;
  request.resample = o.resample;
  request.given_rows = o.given_rows;
  ImageDataset test_set;
  if (mode.needs_data) {
    DataConfig data = loaded.config.data;
    if (!o.data_root.empty()) data.root = o.data_root;
    test_set = load_image_dataset(data, Split::Test, device);
    request.test_split = {test_set.images, test_set.labels};
  }
  loaded.model->eval();
  return loaded.model->sample_mode(request);
}

// data.type "toy2d": the prior's samples are 2-D points, so a scatter plot replaces the grid
// and --npy holds them as (N, 2) float32 in the data range.
void write_toy2d_sample(const SampleOptions& o, const LoadedModel& loaded, const torch::Tensor& samples,
                        const png::TextChunks& provenance) {
  torch::Tensor points = toy2d_points(samples);
  save_toy2d_scatter(o.out, points, loaded.config.data, provenance);
  if (!o.npy.empty()) npy::write_float32(o.npy, {points.size(0), 2}, points.data_ptr<float>());
  std::printf("%s\n", std::filesystem::absolute(o.out).string().c_str());
  spdlog::info("{} points from {} (step {}, seed {}) plotted to {}{}", points.size(0), o.checkpoint,
               loaded.header.step, o.seed, o.out, o.npy.empty() ? "" : " and written to " + o.npy);
}

// Audio families: the clips, one after another with a fifth of a second of silence between them,
// as one 16-bit WAV file.
void write_audio_sample(const SampleOptions& o, const LoadedModel& loaded, const torch::Tensor& clips) {
  const int64_t rate = loaded.model->audio_sample_rate();
  torch::Tensor pcm = (clips.to(torch::kFloat).cpu().flatten(1).clamp(-1, 1) * 32767).round().to(torch::kShort);
  std::vector<int16_t> samples;
  const size_t gap = static_cast<size_t>(rate / 5);
  for (int64_t i = 0; i < pcm.size(0); ++i) {
    if (i > 0) samples.insert(samples.end(), gap, 0);
    const int16_t* data = pcm[i].contiguous().data_ptr<int16_t>();
    samples.insert(samples.end(), data, data + pcm.size(1));
  }
  write_wav(o.out, static_cast<int>(rate), samples);
  std::printf("%s\n", std::filesystem::absolute(o.out).string().c_str());
  spdlog::info("{} clip(s) of {:.2f} s at {} Hz from {} (step {}, seed {}) written to {}", pcm.size(0),
               static_cast<double>(pcm.size(1)) / rate, rate, o.checkpoint, loaded.header.step, o.seed, o.out);
}

// Text models: the generated text streams to stdout as each token is drawn (logs go to stderr);
// --out, when given, also receives the prompt and the text.
void run_text_sample(const SampleOptions& o, LoadedModel& loaded, bool out_given) {
  loaded.model->eval();
  TextRequest request;
  request.prompt = o.prompt;
  request.max_new_tokens = o.max_new_tokens;
  request.temperature = o.temperature;
  request.top_k = o.top_k;
  request.top_p = o.top_p;
  request.use_cache = !o.no_cache;
  request.generator = at::detail::createCPUGenerator(static_cast<uint64_t>(o.seed));
  request.emit = [](const std::string& piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
  };
  loaded.model->tokenizer()->encode(o.prompt, "--prompt");  // a bad prompt fails before anything is printed
  std::fwrite(o.prompt.data(), 1, o.prompt.size(), stdout);
  const auto started = std::chrono::steady_clock::now();
  const std::string text = loaded.model->sample_text(request);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("\n");
  std::fflush(stdout);
  if (out_given) write_file_atomically(o.out, o.prompt + text + "\n");
  spdlog::info("{} tokens from {} (step {}, seed {}) in {:.2f} s ({:.0f} tokens/s, {}){}", o.max_new_tokens,
               o.checkpoint, loaded.header.step, o.seed, seconds, o.max_new_tokens / std::max(seconds, 1e-9),
               o.no_cache ? "no cache" : "KV cache", out_given ? "; written to " + o.out : "");
}

// Rejects options the checkpoint's family does not read, naming the option.
void check_options_apply(const SampleOptions& o, const Model& model, const std::string& model_type) {
  const bool text = model.generates_text();
  if (!text && (!o.prompt.empty() || o.max_new_tokens != 200 || o.top_k != 0 || o.top_p != 1.0))
    throw UserError("--prompt/--max-new-tokens/--top-k/--top-p: model.type " + model_type + " does not generate text");
  if (text && o.mode != "prior") throw UserError("--mode " + o.mode + ": text models only continue a --prompt");
  if (!text && o.temperature == 0)
    throw UserError("--temperature 0 (greedy decoding) is for text models; model.type " + model_type + " needs T > 0");
  if (!model.uses_sampler_settings() && (o.sampler != "default" || o.eta != 0 || o.guidance >= 0 || o.resample != 1))
    throw UserError("--sampler/--eta/--guidance/--resample: model.type " + model_type + " has no iterative sampler");
  if (!model.uses_temperature() && !text && o.temperature != 1.0)
    throw UserError("--temperature: model.type " + model_type + " does not draw from categorical outputs");
  const bool audio = model.audio_sample_rate() > 0;
  if (!audio && o.seconds != 1.0)
    throw UserError("--seconds: model.type " + model_type + " does not generate audio");
  if (!audio && !text && o.no_cache)
    throw UserError("--no-cache: model.type " + model_type + " keeps no generation cache");
  if (audio && o.mode != "prior") throw UserError("--mode " + o.mode + ": audio models only draw new clips (prior)");
  if (audio && o.out.size() >= 4 && o.out.substr(o.out.size() - 4) == ".png")
    throw UserError("--out " + o.out + ": model.type " + model_type + " generates audio; name a .wav file");
}

void run_sample(SampleOptions o) {
  set_cpu_threads(0);
  const torch::Device device = resolve_device(o.device);
  LoadedModel loaded = load_model(o.checkpoint, device);
  set_cpu_threads(0, 0, loaded.model->prefers_parallel_ops());
  const bool audio = loaded.model->audio_sample_rate() > 0;
  const bool out_given = o.out != kDefaultImageOut;
  if (audio && !out_given) o.out = "samples.wav";
  check_options_apply(o, *loaded.model, loaded.config.model_type());
  if (o.seed < 0) o.seed = loaded.config.sample.seed;
  if (loaded.model->generates_text()) return run_text_sample(o, loaded, out_given);
  if (o.num < 0) o.num = loaded.config.sample.num;
  if (o.nrow < 0) o.nrow = loaded.config.sample.nrow;
  torch::Tensor images;
  ModeResult mode_result;
  if (o.mode == "prior") {
    SampleRequest request = sampler_settings(o, *loaded.model);
    request.num = o.num;
    images = draw_samples(*loaded.model, request, o.nrow, o.klass, static_cast<uint64_t>(o.seed));
  } else {
    mode_result = run_mode(loaded, o, device);
    images = mode_result.images;
    o.nrow = mode_result.nrow;
  }
  const png::TextChunks provenance = {{"Software", std::string("gencli ") + GENCLI_VERSION},
                                      {"gencli:model_type", loaded.config.model_type()},
                                      {"gencli:checkpoint_sha256", loaded.sha256},
                                      {"gencli:seed", std::to_string(o.seed)},
                                      {"gencli:step", std::to_string(loaded.header.step)},
                                      {"gencli:class", o.klass >= 0 ? std::to_string(o.klass) : "all"},
                                      {"gencli:mode", o.mode}};
  if (audio) return write_audio_sample(o, loaded, images);
  if (loaded.config.data.type == "toy2d" && o.mode == "prior") return write_toy2d_sample(o, loaded, images, provenance);
  torch::Tensor unit = to_unit_range(images, loaded.config.data.range).cpu();
  save_grid_png(o.out, unit, o.nrow, provenance);
  if (!o.npy.empty()) {
    torch::Tensor data = unit.contiguous().to(torch::kFloat);
    std::vector<int64_t> shape(data.sizes().begin(), data.sizes().end());
    npy::write_float32(o.npy, shape, data.data_ptr<float>());
  }
  std::printf("%s\n", std::filesystem::absolute(o.out).string().c_str());
  for (const auto& [name, value] : mode_result.report) std::printf("%s %.4f\n", name.c_str(), value);
  spdlog::info("{} images ({} mode) from {} (step {}, seed {}) written to {}{}", unit.size(0), o.mode, o.checkpoint,
               loaded.header.step, o.seed, o.out, o.npy.empty() ? "" : " and " + o.npy);
}

}  // namespace

void add_sample_command(CLI::App& app) {
  auto o = std::make_shared<SampleOptions>();
  CLI::App* cmd = app.add_subcommand("sample", "draw samples from a checkpoint into a PNG grid (a WAV file for audio models, text to stdout for text models)");
  cmd->add_option("--checkpoint", o->checkpoint, "checkpoint file (.pt)")->required();
  cmd->add_option("--num,-n", o->num, "how many samples (default: the config's sample.num)")->check(CLI::Range(int64_t{1}, int64_t{100000}));
  cmd->add_option("--nrow", o->nrow, "images per grid row (default: sample.nrow)")->check(CLI::Range(int64_t{1}, int64_t{10000}));
  cmd->add_option("--out,-o", o->out, "PNG file to write (audio models: WAV, default samples.wav)");
  cmd->add_option("--seed", o->seed, "noise seed (default: sample.seed)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--class", o->klass, "class label for conditional models (default: one row per class)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--npy", o->npy, "also write the samples, in [0, 1], as a NumPy .npy array (N, C, H, W); "
                  "for data.type toy2d the points (N, 2) in the data range");
  cmd->add_option("--device", o->device, "auto, cpu, cuda or cuda:N");
  cmd->add_flag("--no-ema", o->no_ema, "use the raw weights even when the checkpoint has EMA weights");
  cmd->add_option("--mode", o->mode,
                  "prior (default): new samples; the family may offer more, e.g. the VAE's reconstruct, "
                  "interpolate, restore and manifold");
  cmd->add_option("--pairs", o->pairs, "interpolate: rows, one pair of test images each")
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
  cmd->add_option("--steps", o->steps,
                  "diffusion: denoising steps (default: all for ddpm, 50 for ddim); VAE interpolate: images per "
                  "row, manifold: points per axis (default 10)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  cmd->add_option("--sampler", o->sampler, "diffusion: ddpm (default) or ddim");
  cmd->add_option("--eta", o->eta, "DDIM noise: 0 deterministic (default) .. 1 as noisy as DDPM")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--guidance", o->guidance, "classifier-free guidance scale W for conditional diffusion: u + W (c - u); 1 = plain "
                  "conditional (default: the config's model.guidance)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--corrupt", o->corrupt, "restore: noise:SIGMA or mask:center|bottom|top|left|right (default noise:0.5)");
  cmd->add_option("--mask", o->mask, "inpaint/restore: the hidden region, center|bottom|top|left|right (inpaint default: bottom)");
  cmd->add_option("--resample", o->resample, "inpaint: RePaint resampling, each denoising step repeated N times")
      ->check(CLI::Range(int64_t{1}, int64_t{100}));
  cmd->add_option("--temperature", o->temperature, "autoregressive models: divide the logits by T before each draw "
                  "(default 1; below 1 safer, above 1 wilder; text models: 0 is greedy)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--prompt", o->prompt, "text models: the text to continue (default: none)");
  cmd->add_option("--max-new-tokens", o->max_new_tokens, "text models: tokens to generate (default 200)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  cmd->add_option("--top-k", o->top_k, "text models: draw from the k most likely tokens only (default 0: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--top-p", o->top_p, "text models: draw from the smallest set of tokens with this much "
                  "probability (default 1: all)")
      ->check(CLI::Range(1e-6, 1.0));
  cmd->add_option("--given-rows", o->given_rows, "complete: image rows kept from each test image (default 14)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seconds", o->seconds, "audio models: length of each clip (default 1.0)")
      ->check(CLI::Range(0.001, 600.0));
  cmd->add_flag("--no-cache", o->no_cache, "WaveNet, GPT: recompute the receptive field / context for every new "
                "sample or token (slow; for comparison with the cached generation)");
  cmd->add_option("--data-root", o->data_root, "test data folder for modes that use it (default: the run's data.root)");
  cmd->callback([o] { run_sample(*o); });
}

}  // namespace gencli::cli
