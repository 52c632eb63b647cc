#pragma once
// The interface every model family implements. The shared training loop
// (train/trainer.cpp), the checkpoint format and the CLI only talk to this.
#include "core/torch_api.h"
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "data/tokenizer.h"

namespace gencli {

// One mini-batch. images: (B, C, H, W) in the configured range; labels: (B) int64 or undefined.
// tokens: (B, T) int64 for text (data.type "text"), else undefined.
struct Batch {
  torch::Tensor images{};
  torch::Tensor labels{};
  torch::Tensor tokens{};
};

// Where a family draws its batches from; a step may draw several (critic steps).
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual Batch next() = 0;
  // The order state that checkpoints keep so a resumed run draws the same batches.
  virtual void save(torch::serialize::OutputArchive& archive) const {}
  virtual void load(torch::serialize::InputArchive& archive) {}
};

// Named scalars a step reports, in display order ("loss_d", "loss_g", ...).
using StepMetrics = std::vector<std::pair<std::string, double>>;

// A set of parameters that one optimizer updates (a GAN has two).
struct OptimizedPart {
  std::string name;
  std::vector<torch::Tensor> parameters;
  bool weight_decay = true;  // false: optim.weight_decay does not apply (biases, norms, as in GPT training)
};

// Gives the family its optimizers by part name; the loop owns them, the family
// decides when to step which. update() clips (optim.grad_clip) then steps.
class Optimizers {
 public:
  virtual ~Optimizers() = default;
  virtual void zero_grad(const std::string& part) = 0;
  virtual void update(const std::string& part) = 0;
};

struct StepContext {
  int64_t step = 0;               // 0-based index of the step being taken
  BatchSource* batches = nullptr; // null when data.type is "none"
  Optimizers* optimizers = nullptr;
  bool explain = false;           // print what the step computes (teaching mode)
};

// What `gencli sample` asks for. labels: (num) int64 for conditional models, else undefined.
struct SampleRequest {
  int64_t num = 64;
  torch::Tensor labels;
  bool use_ema = true;
  torch::Generator generator;  // CPU generator for the noise, so a seed draws the same images on any device
  // For iterative samplers (diffusion); families without one ignore these.
  std::string sampler = "default";  // e.g. "ddpm" or "ddim"
  int64_t steps = 0;                // sampling steps; also points per row/axis in the VAE's modes (0: default)
  double eta = 0.0;                 // DDIM: 0 deterministic, 1 as noisy as DDPM
  double guidance = -1.0;           // classifier-free guidance scale (< 0: the model's default)
  // For autoregressive families (PixelCNN, WaveNet); others ignore these.
  double temperature = 1.0;         // logits are divided by this before each draw (< 1: safer, > 1: wilder)
  int64_t length = 0;               // sequence elements to generate (audio: samples; 0: the family's default)
  bool use_cache = true;            // WaveNet: reuse past activations instead of recomputing the receptive field
  std::function<void(int64_t done, int64_t total)> progress;  // called after each sampling step, if set
  bool preview = false;  // a grid during training: a family may trade quality for speed (diffusion: DDIM-50)
};

// A way of sampling beyond drawing from the prior: reconstructions, interpolations, ...
struct SampleMode {
  std::string name;         // the --mode value
  std::string description;  // one line for --help and errors
  bool needs_data = false;  // works on images of the test split
};

// What `gencli sample --mode M` asks for. Each mode reads the fields it documents.
struct ModeRequest {
  std::string mode;
  SampleRequest sampling;     // num: images to transform; steps, generator (which test images, all noise), ...
  int64_t nrow = 8;           // images per grid row
  int64_t pairs = 8;          // interpolate: rows, one pair of test images each
  std::string corrupt;        // restore/inpaint: "noise:SIGMA" or "mask:REGION" (see models/corruption.h); "" = default
  int64_t klass = -1;         // class for conditional models where a mode needs one (-1: none given)
  int64_t resample = 1;       // inpaint: RePaint resampling (each step repeated this often)
  int64_t given_rows = 14;    // complete: image rows kept from the test image; the rest is generated
  Batch test_split;           // the whole test split, for modes that need data; pick with pick_examples()
};

// A grid to write, laid out row by row, and numbers to print beside it (PSNR, ...).
struct ModeResult {
  torch::Tensor images;  // (N, C, H, W) in the data range
  int64_t nrow = 8;
  StepMetrics report;
};

// What `gencli sample` asks of a text model. Generation streams: `emit` gets each new piece of
// text as soon as its token is drawn.
struct TextRequest {
  std::string prompt;
  int64_t max_new_tokens = 200;
  double temperature = 1.0;  // 0: greedy (always the most likely token)
  int64_t top_k = 0;         // keep only the k most likely tokens (0: all)
  double top_p = 1.0;        // keep the smallest set of tokens with this much probability (1: all)
  bool use_cache = true;     // keys and values of past positions kept, instead of recomputed
  torch::Generator generator;
  std::function<void(const std::string& piece)> emit;
};

// Data the family may use for evaluation (the held-out split), or nothing.
struct EvalContext {
  BatchSource* test_batches = nullptr;  // the test split in order, in batches of 256 (wraps around)
  Batch test_split;                     // the same split whole (limited by --test-limit); text: tokens (1, N)
  int64_t test_size = 0;
  int64_t num_samples = 1000;
  int64_t iw_samples = 100;             // importance samples for likelihood bounds (VAE)
  int64_t seed = 1234;
};

// Throws UserError naming data.root and model.image_channels/image_size when a batch of images
// (B, C, H, W) does not have the shape the model was built for.
void check_image_shape(const torch::Tensor& images, int64_t channels, int64_t size);

class Model : public torch::nn::Module {
 public:
  // The parts each get an optimizer built from the `optim` section.
  virtual std::vector<OptimizedPart> optimized_parts() = 0;
  // One training step; returns the metrics to log. Must not step the LR (the loop does).
  virtual StepMetrics train_step(StepContext& ctx) = 0;
  // The network whose weights an EMA tracks (the generator), or null when the family has none.
  virtual torch::nn::Module* ema_target() { return nullptr; }
  // Whether sampling takes labels, and how many classes there are.
  virtual bool conditional() const { return false; }
  virtual int64_t num_classes() const { return 0; }
  // Generates images (num, C, H, W) in the data range. Families without images throw UserError.
  virtual torch::Tensor sample(const SampleRequest& request);
  // The extra sample modes this family offers, and running one (default: none).
  virtual std::vector<SampleMode> sample_modes() const { return {}; }
  virtual ModeResult sample_mode(const ModeRequest& request);
  // Scores the model; the result is printed as a table or JSON.
  virtual nlohmann::json evaluate(EvalContext& ctx) = 0;
  // Called once after the last step (the linear-regression walkthrough prints its fit here).
  virtual void on_train_end(bool explain) {}
  // Whether LibTorch's own thread pool should get every core by default (convolution-heavy
  // networks; see ThreadPlan in core/runtime_tuning.h).
  virtual bool prefers_parallel_ops() const { return false; }
  // Whether sample() reads the iterative-sampler settings (sampler, eta, guidance).
  virtual bool uses_sampler_settings() const { return false; }
  // Whether sample() reads SampleRequest::temperature (autoregressive families).
  virtual bool uses_temperature() const { return false; }
  // What one call of SampleRequest::progress counts, for the progress bar ("denoising step", "pixel").
  virtual std::string sampling_step_name() const { return "step"; }
  // Nonzero for audio families: sample() returns waveforms (N, 1, 1, L) in [-1, 1] at this many
  // samples per second, which `gencli sample` writes as a WAV file instead of a grid.
  virtual int64_t audio_sample_rate() const { return 0; }
  // Real images in [0, 1] as this model's pixel model sees them (PixelCNN: binarized, or cut to
  // its levels), so that samples are judged against data of their own kind; default: unchanged.
  virtual torch::Tensor data_as_modelled(const torch::Tensor& images, const torch::Generator& generator) const {
    return images;
  }
  // Whether sample() draws images (the loop then writes sample grids during training).
  virtual bool generates_images() const { return true; }
  // Whether this family trains on a data set (data.type must not be "none").
  virtual bool needs_data() const { return true; }

  // Sequence models over text (data.type "text"): the tokenizer, and the window length a
  // training batch needs (tokens per example, the targets included).
  virtual const Tokenizer* tokenizer() const { return nullptr; }
  virtual int64_t training_window() const { return 0; }
  // Text generation for `gencli sample`; returns the generated text (the prompt excluded).
  virtual bool generates_text() const { return false; }
  virtual std::string sample_text(const TextRequest& request);
  // A loss on held-out data that the loop tracks every train.eval_every steps (keeping the best
  // checkpoint as best.pt), lower is better; families without one return false from has_...().
  virtual bool has_validation_loss() const { return false; }
  virtual double validation_loss(EvalContext& ctx);
  // More numbers from the last validation_loss() call, logged beside it (a classifier's accuracy).
  virtual StepMetrics validation_details() const { return {}; }

  // Whether checkpoints hold only the adapter weights (the base comes from init.from), and
  // folding the adapters into the weights they adapt (`gencli export --merge-lora`).
  virtual bool saves_adapters_only() const { return false; }
  virtual void merge_adapters() {}

  // Set by the registry: the EMA copy of ema_target(), used by sample() when asked.
  std::shared_ptr<torch::nn::Module> ema;
};

}  // namespace gencli
