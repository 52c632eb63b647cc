#pragma once
// What the shared loop and the commands hand a family: optimizers and the step's context for
// training, and what `gencli sample` and `gencli eval` ask for. Each family reads the fields it
// documents in its Capabilities (models/capabilities.h).
#include "core/torch_api.h"

#include <functional>
#include <string>
#include <vector>

#include "core/step_metrics.h"
#include "data/batch.h"
#include "models/example_random.h"

namespace gencli {

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
  // Backpropagates a loss. Families call this rather than loss.backward(), so that float16
  // training can scale the loss first (train/loss_scaler.h).
  virtual void backward(const torch::Tensor& loss) { loss.backward(); }
  virtual void update(const std::string& part) = 0;
};

struct StepContext {
  int64_t step = 0;               // 0-based index of the step being taken
  BatchSource* batches = nullptr; // null when data.type is "none"
  Optimizers* optimizers = nullptr;
  bool explain = false;           // print what the step computes (teaching mode)
  ExampleRandom random;           // per-example draws (noise, timesteps, ...): the same for any number of processes
};

// What `gencli sample` asks for. labels: (num) int64 for conditional models, else undefined.
struct SampleRequest {
  int64_t num = 64;
  torch::Tensor labels;
  bool use_ema = true;
  // Capabilities::reads.latents: (num, latent_dim) float latent vectors to decode in place of
  // drawn noise; undefined: drawn from `generator`.
  torch::Tensor latents;
  torch::Generator generator;  // CPU generator for the noise, so a seed draws the same images on any device
  // For iterative samplers (diffusion); families without one ignore these.
  std::string sampler = "default";  // e.g. "ddpm" or "ddim"
  int64_t steps = 0;                // sampling steps; also points per row/axis in the VAE's modes (0: default)
  double eta = 0.0;                 // DDIM: 0 deterministic, 1 as noisy as DDPM
  double guidance = -1.0;           // classifier-free guidance scale (< 0: the model's default)
  // For autoregressive families (PixelCNN, WaveNet); others ignore these.
  double temperature = 1.0;         // logits are divided by this before each draw (< 1: safer, > 1: wilder)
  int64_t length = 0;               // sequence elements to generate (audio: samples; 0: the family's default)
  bool use_cache = true;            // WaveNet, PixelCNN: reuse past activations instead of recomputing the receptive field
  std::function<void(int64_t done, int64_t total)> progress;  // called after each sampling step, if set
  bool preview = false;  // a grid during training: a family may trade quality for speed (diffusion: DDIM-50)
  // For text-conditional image models: one prompt for all samples, or one per sample; and what
  // guidance steers away from ("" = the unconditional prediction).
  std::vector<std::string> prompts;
  std::string negative_prompt;
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

}  // namespace gencli
