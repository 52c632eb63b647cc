// `gencli sample`: draws from a checkpoint and writes what its family produces (models/sample_output.h).
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/commands.h"
#include "cli/option_rules.h"
#include "core/device.h"
#include "core/precision.h"
#include "core/errors.h"
#include "core/runtime_tuning.h"
#include "core/progress.h"
#include "data/image_dataset.h"
#include "io/npy.h"
#include "models/sample_output.h"
#include "models/sampling.h"
#include "train/checkpoint.h"

namespace gencli::cli {

namespace {

constexpr const char* kDefaultImageOut = "samples.png";

// --num, --nrow and --seed default to the checkpoint's `sample` section.
struct SampleOptions {
  std::string checkpoint;
  int64_t num = -1;
  int64_t nrow = -1;
  int64_t seed = -1;
  int64_t klass = -1;  // -1: every class, one row each
  std::string npy;
  std::string device = "auto";
  std::string precision = "fp32";
  bool no_ema = false;
  int64_t pairs = 8;
  std::string corrupt;  // empty: the mode's default
  std::string mask;
  std::string data_root;
  int64_t given_rows = 14;
  SamplingFlags f;  // --out, --mode and what the families read (cli/option_rules.h)

  SampleOptions() { f.out = kDefaultImageOut; }
};

SampleRequest sampler_settings(const SampleOptions& o, const Capabilities& caps) {
  SampleRequest r;
  r.use_ema = !o.no_ema;
  r.sampler = o.f.sampler;
  r.steps = o.f.steps;
  r.eta = o.f.eta;
  r.guidance = o.f.guidance;
  r.temperature = o.f.temperature;
  r.use_cache = !o.f.no_cache;
  if (caps.output == Output::audio) r.length = std::llround(o.f.seconds * caps.audio_sample_rate);
  // A bar on a terminal, else a line every tenth of the way; made on the first call, when
  // the number of steps is known.
  auto bar = std::make_shared<std::unique_ptr<Progress>>();
  const std::string unit = caps.sampling_step;
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

// --prompts FILE: its non-empty lines, each a prompt (UserError naming the file when unreadable or empty).
std::vector<std::string> read_prompt_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError("--prompts " + path + ": cannot read the file");
  std::vector<std::string> prompts;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) prompts.push_back(line);
  }
  if (prompts.empty()) throw UserError("--prompts " + path + ": no prompts in it (one per line)");
  return prompts;
}

// Text-to-image: --prompt for every sample, or --prompts with a grid row of nrow images per
// prompt (then --num is the rows times nrow).
void set_prompts(SampleRequest& request, SampleOptions& o) {
  request.negative_prompt = o.f.negative_prompt;
  if (!o.f.prompts_file.empty()) {
    for (const std::string& prompt : read_prompt_file(o.f.prompts_file))
      request.prompts.insert(request.prompts.end(), static_cast<size_t>(o.nrow), prompt);
    o.num = static_cast<int64_t>(request.prompts.size());
  } else if (!o.f.prompt.empty()) {
    request.prompts = {o.f.prompt};
  }
  request.num = o.num;
}

// The family's mode of that name, or a UserError listing the modes it has.
SampleMode find_mode(const Capabilities& caps, const std::string& name, const std::string& model_type) {
  std::string known = "prior";
  for (const auto& m : caps.modes) {
    if (m.name == name) return m;
    known += ", " + m.name;
  }
  throw UserError("--mode " + name + ": not a sample mode of model.type " + model_type + " (known: " + known + ")");
}

// Runs a mode other than "prior": loads the test split when the mode works on data.
ModeResult run_mode(LoadedModel& loaded, SampleOptions& o, const torch::Device& device) {
  const Capabilities& caps = loaded.model->capabilities();
  const SampleMode mode = find_mode(caps, o.f.mode, loaded.config.model_type());
  ModeRequest request;
  request.mode = o.f.mode;
  request.sampling = sampler_settings(o, caps);
  request.sampling.num = o.num;
  request.sampling.generator = at::detail::createCPUGenerator(static_cast<uint64_t>(o.seed));
  request.nrow = o.nrow;
  request.pairs = o.pairs;
  request.corrupt = o.mask.empty() ? o.corrupt : "mask:" + o.mask;
  request.klass = o.klass;
  request.resample = o.f.resample;
  request.given_rows = o.given_rows;
  if (caps.reads.prompts) set_prompts(request.sampling, o);
  ImageDataset test_set;
  if (mode.needs_data) {
    DataConfig data = loaded.config.data;
    if (!o.data_root.empty()) data.root = o.data_root;
    test_set = load_image_dataset(data, Split::Test, device);
    request.test_split = {test_set.images, test_set.labels};
    request.test_split.captions = test_set.captions;
  }
  loaded.model->eval();
  return loaded.model->sample_mode(request);
}

// Text models: the generated text streams to stdout as each token is drawn (logs go to stderr);
// --out, when given, also receives the prompt and the text.
void run_text_sample(const SampleOptions& o, LoadedModel& loaded, bool out_given) {
  loaded.model->eval();
  const SamplingFlags& f = o.f;
  TextRequest request;
  request.prompt = f.prompt;
  request.max_new_tokens = f.max_new_tokens;
  request.temperature = f.temperature;
  request.top_k = f.top_k;
  request.top_p = f.top_p;
  request.use_cache = !f.no_cache;
  request.generator = at::detail::createCPUGenerator(static_cast<uint64_t>(o.seed));
  request.emit = [](const std::string& piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
  };
  loaded.model->text_input().tokenizer->encode(f.prompt, "--prompt");  // a bad prompt fails before anything is printed
  std::fwrite(f.prompt.data(), 1, f.prompt.size(), stdout);
  const auto started = std::chrono::steady_clock::now();
  const std::string text = loaded.model->sample_text(request);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("\n");
  std::fflush(stdout);
  if (out_given) write_text_sample(f.out, f.prompt + text + "\n");
  spdlog::info("{} tokens from {} (step {}, seed {}) in {:.2f} s ({:.1f} tokens/s, {}){}", f.max_new_tokens,
               o.checkpoint, loaded.header.step, o.seed, seconds, f.max_new_tokens / std::max(seconds, 1e-9),
               f.no_cache ? "no cache" : "KV cache", out_given ? "; written to " + f.out : "");
}

void run_sample(SampleOptions o) {
  set_cpu_threads(0);
  const torch::Device device = resolve_device(o.device, "--device");
  const Precision precision = parse_precision(o.precision, "--precision");
  check_precision_for_device(precision, device, "--precision");
  LoadedModel loaded = load_model(o.checkpoint, device);
  AutocastGuard autocast(precision, device);
  const Capabilities& caps = loaded.model->capabilities();
  set_cpu_threads(0, 0, caps.parallel_sampling(!o.f.no_cache));
  const bool out_given = o.f.out != kDefaultImageOut;
  if (caps.output == Output::audio && !out_given) o.f.out = "samples.wav";
  check_sample_options(o.f, caps, loaded.config.model_type());
  if (o.seed < 0) o.seed = loaded.config.sample.seed;
  if (caps.output == Output::text) return run_text_sample(o, loaded, out_given);
  if (o.num < 0) o.num = loaded.config.sample.num;
  if (o.nrow < 0) o.nrow = loaded.config.sample.nrow;
  torch::Tensor samples;
  Output output = caps.output;
  ModeResult mode_result;
  if (o.f.mode == "prior") {
    SampleRequest request = sampler_settings(o, caps);
    request.num = o.num;
    if (caps.reads.prompts) set_prompts(request, o);
    if (!o.f.latents.empty()) {
      npy::FloatArray z = npy::read_float(o.f.latents);
      request.latents = torch::from_blob(z.data.data(), z.shape, torch::kFloat).clone();
      if (z.shape.size() == 2) request.num = z.shape[0];  // else latent_vectors() names the shape
    }
    samples = draw_samples(*loaded.model, request, o.nrow, o.klass, static_cast<uint64_t>(o.seed));
  } else {
    mode_result = run_mode(loaded, o, device);
    samples = mode_result.images;
    o.nrow = mode_result.nrow;
    output = Output::images;  // a mode's comparison rows are a grid, whatever the data
  }
  samples = samples.to(torch::kFloat);  // bf16 or fp16 under --precision
  const Provenance provenance{loaded.config.model_type(), loaded.sha256, o.seed, loaded.header.step,
                              o.klass >= 0 ? std::to_string(o.klass) : "all", o.f.mode,
                              loaded.header.data_fingerprint};
  const WrittenSamples written = write_samples(samples, output, loaded.config.data, o.nrow, caps.audio_sample_rate,
                                               {o.f.out, output == Output::audio ? "" : o.npy}, provenance);
  std::printf("%s\n", std::filesystem::absolute(o.f.out).string().c_str());
  for (const auto& [name, value] : mode_result.report) std::printf("%s %.4f\n", name.c_str(), value);
  const std::string source = fmt::format("from {} (step {}, seed {})", o.checkpoint, loaded.header.step, o.seed);
  const std::string npy = o.npy.empty() || output == Output::audio ? "" : " and " + o.npy;
  if (output == Output::audio)
    spdlog::info("{} clip(s) of {:.2f} s at {} Hz {} written to {}", written.count, written.clip_seconds,
                 caps.audio_sample_rate, source, o.f.out);
  else if (output == Output::points)
    spdlog::info("{} points {} plotted to {}{}", written.count, source, o.f.out, npy.empty() ? "" : " and written to " + o.npy);
  else
    spdlog::info("{} images ({} mode) {} written to {}{}", written.count, o.f.mode, source, o.f.out, npy);
}

}  // namespace

void add_sample_command(CLI::App& app) {
  auto o = std::make_shared<SampleOptions>();
  CLI::App* cmd = app.add_subcommand("sample", "draw samples from a checkpoint into a PNG grid (a WAV file for audio models, text to stdout for text models)");
  cmd->add_option("--checkpoint", o->checkpoint, "checkpoint (.pt), exported model (.safetensors) or a Hugging Face GPT-2 folder")->required();
  cmd->add_option("--num,-n", o->num, "how many samples (default: the config's sample.num)")->check(CLI::Range(int64_t{1}, int64_t{100000}));
  cmd->add_option("--nrow", o->nrow, "images per grid row (default: sample.nrow)")->check(CLI::Range(int64_t{1}, int64_t{10000}));
  cmd->add_option("--out,-o", o->f.out, "PNG file to write (audio models: WAV, default samples.wav)");
  cmd->add_option("--seed", o->seed, "noise seed (default: sample.seed)")->check(integer_in(0));
  cmd->add_option("--class", o->klass, "class label for conditional models (default: one row per class)")
      ->check(integer_in(0));
  cmd->add_option("--npy", o->npy, "also write the samples, in [0, 1], as a NumPy .npy array (N, C, H, W); "
                  "for data.type toy2d the points (N, 2) in the data range");
  cmd->add_option("--latents", o->f.latents, "GAN, VAE: decode these latent vectors, a .npy array (N, latent_dim), "
                                             "instead of drawing N from --seed");
  cmd->add_option("--device", o->device, "auto, cpu, cuda or cuda:N");
  cmd->add_option("--precision", o->precision, "fp32 (default), bf16, or fp16 (CUDA only): forward passes under autocast");
  cmd->add_flag("--no-ema", o->no_ema, "use the raw weights even when the checkpoint has EMA weights");
  cmd->add_option("--mode", o->f.mode,
                  "prior (default): new samples; the family may offer more, e.g. the VAE's reconstruct, "
                  "interpolate, restore and manifold");
  cmd->add_option("--pairs", o->pairs, "interpolate: rows, one pair of test images each")
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
  cmd->add_option("--steps", o->f.steps,
                  "diffusion: denoising steps (default: all for ddpm, 50 for ddim); VAE interpolate: images per "
                  "row, manifold: points per axis (default 10)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  cmd->add_option("--sampler", o->f.sampler, "diffusion: ddpm (default) or ddim");
  cmd->add_option("--eta", o->f.eta, "DDIM noise: 0 deterministic (default) .. 1 as noisy as DDPM")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--guidance", o->f.guidance, "classifier-free guidance scale W for conditional diffusion: u + W (c - u); 1 = plain "
                  "conditional (default: the config's model.guidance)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--corrupt", o->corrupt, "restore: noise:SIGMA or mask:center|bottom|top|left|right (default noise:0.5)");
  cmd->add_option("--mask", o->mask, "inpaint/restore: the hidden region, center|bottom|top|left|right (inpaint default: bottom)");
  cmd->add_option("--resample", o->f.resample, "inpaint: RePaint resampling, each denoising step repeated N times")
      ->check(CLI::Range(int64_t{1}, int64_t{100}));
  cmd->add_option("--temperature", o->f.temperature, "autoregressive models: divide the logits by T before each draw "
                  "(default 1; below 1 safer, above 1 wilder; text models: 0 is greedy)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--prompt", o->f.prompt, "text models: the text to continue (default: none); text-to-image: what "
                  "every image shows");
  cmd->add_option("--prompts", o->f.prompts_file, "text-to-image: a file of prompts, one per line; one grid row of "
                  "--nrow images each");
  cmd->add_option("--negative-prompt", o->f.negative_prompt, "text-to-image: what guidance steers away from "
                  "(default: the empty prompt)");
  cmd->add_option("--max-new-tokens", o->f.max_new_tokens, "text models: tokens to generate (default 200)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  cmd->add_option("--top-k", o->f.top_k, "text models: draw from the k most likely tokens only (default 0: all)")
      ->check(integer_in(0));
  cmd->add_option("--top-p", o->f.top_p, "text models: draw from the smallest set of tokens with this much "
                  "probability (default 1: all)")
      ->check(CLI::Range(1e-6, 1.0));
  cmd->add_option("--given-rows", o->given_rows, "complete: image rows kept from each test image (default 14)")
      ->check(integer_in(0));
  cmd->add_option("--seconds", o->f.seconds, "audio models: length of each clip (default 1.0)")
      ->check(CLI::Range(0.001, 600.0));
  cmd->add_flag("--no-cache", o->f.no_cache, "WaveNet, GPT, gated PixelCNN: recompute the receptive field / "
                "context for every new sample, token or pixel (slow; for comparison with the cached generation)");
  cmd->add_option("--data-root", o->data_root, "test data folder for modes that use it (default: the run's data.root)");
  cmd->callback([o] { run_sample(*o); });
}

}  // namespace gencli::cli
