#pragma once
// The run configuration: one typed struct per section with every default in one place.
// The `model` section belongs to the model family (see models/registry.h), which
// validates it and fills its defaults; the other sections are shared by every family.
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "core/config_fields.h"

namespace gencli {

struct DataConfig {
  std::string type = "idx";          // "idx": MNIST-format files in root; "image_folder": PNG/JPEG files
                                     // under root; "audio_folder": mono 16-bit WAV files under root as
                                     // (N, 1, 1, L) clips; "toy2d": 2-D points as (N, 2, 1, 1) images;
                                     // "text": a UTF-8 file (path) as tokens for sequence models;
                                     // "captioned_folder": image_folder with a same-named .txt caption per image;
                                     // "canvas": captioned 2x2 canvases composed from the idx set in root
                                     // (data/canvas.h); "none": the family brings its own data
  std::string root = "data/mnist";   // idx: folder with train-/t10k- images and labels (raw or .gz);
                                     // image_folder, audio_folder: the folder of files
  int64_t num_classes = 10;          // labels must lie in [0, num_classes)
  int64_t limit = 0;                 // use only the first N training images (0 = all)
  std::string range = "tanh";        // pixel scaling: "tanh" maps to [-1, 1], "unit" to [0, 1]
                                     // (audio_folder ignores it: audio is always in [-1, 1])
  std::string placement = "auto";    // "auto": keep the whole set on the training device; "cpu": keep it in host memory
  int64_t image_size = 32;           // image_folder: images are resized and centre-cropped to this square
  int64_t channels = 1;              // image_folder: 1 (grayscale luminance) or 3 (RGB)
  double test_fraction = 0.1;        // image_folder, audio_folder: every round(1/f)-th file in sorted order
                                     // is held out for testing; text: the last fraction f of the tokens
  int64_t sample_rate = 16000;       // audio_folder: every file must be at this rate (8000 or 16000 Hz)
  double clip_seconds = 1.0;         // audio_folder: each file becomes one clip this long (cropped or padded)
  std::string path = "data/text/fortunes.txt";  // text: the UTF-8 file; its last test_fraction is validation
  std::string toy = "ring8";         // toy2d: which distribution (see data/toy2d.h)
  int64_t toy_points = 20000;        // toy2d: training points; the test split is a separate draw of a quarter as many
  int64_t toy_seed = 0;              // toy2d: the draw's seed, so the data set is the same on every run
  std::vector<std::string> class_names;  // canvas: what captions call each class (empty: "0", "1", ...)
  std::vector<std::string> held_out;     // canvas: objects training never shows, as "a 3 in the bottom right"
  int64_t canvas_count = 2000;       // canvas: size of the fixed train and test sets (eval; training draws anew)

  template <class V>
  void visit(V& v) {
    using namespace config;
    v.field("type", type, one_of({"idx", "image_folder", "captioned_folder", "audio_folder", "toy2d", "text", "canvas",
                                  "none"}));
    v.field("root", root);
    v.field("num_classes", num_classes, int_range(1, 1000000));
    v.field("limit", limit, at_least(0));
    v.field("range", range, one_of({"tanh", "unit"}));
    v.field("placement", placement, one_of({"auto", "cpu"}));
    v.field("image_size", image_size, at_least(1));
    v.field("channels", channels, Constraint<int64_t>{"1 or 3", [](const int64_t& c) { return c == 1 || c == 3; }});
    v.field("test_fraction", test_fraction,
            Constraint<double>{"a number in (0, 0.5]", [](const double& f) { return f > 0 && f <= 0.5; }});
    v.field("sample_rate", sample_rate,
            Constraint<int64_t>{"8000 or 16000", [](const int64_t& r) { return r == 8000 || r == 16000; }});
    v.field("clip_seconds", clip_seconds, positive());
    v.field("path", path);
    v.field("toy", toy, one_of({"ring8", "grid25", "swiss_roll", "two_moons"}));
    v.field("toy_points", toy_points, at_least(100));
    v.field("toy_seed", toy_seed, at_least(0));
    v.field("class_names", class_names);
    v.field("held_out", held_out);
    v.field("canvas_count", canvas_count, at_least(1));
  }
};

struct TrainConfig {
  int64_t steps = 10000;             // total steps of the run; --resume continues up to this count
  int64_t batch_size = 64;           // examples per step
  int64_t log_every = 100;           // steps between metrics.jsonl lines (and plain progress lines)
  int64_t sample_every = 1000;       // steps between samples in samples/: a grid, text or a clip (0 = never)
  int64_t checkpoint_every = 1000;   // steps between checkpoints (the last step always saves)
  int64_t keep_checkpoints = 3;      // how many step-numbered checkpoints to keep beside last.pt
  int64_t seed = 1234;               // the same seed and config give the same weights on CPU
  std::string device = "auto";       // "auto", "cpu", "cuda" or "cuda:N"
  std::string precision = "fp32";    // forward passes under autocast: "fp32", "bf16", or "fp16" (CUDA
                                     // only, with a dynamic loss scaler); weights stay float32
  int64_t threads = 0;               // CPU threads for matrix products (0 = every core of the machine)
  int64_t intra_op_threads = 0;      // LibTorch's own pool (0 = auto, see core/runtime_tuning.h)
  double ema_decay = 0.0;            // EMA of the sampling network's weights (0 = off, e.g. 0.999)
  int64_t eval_every = 0;            // steps between validation losses; the best is kept as best.pt (0 = off)
  double cpu_watts_per_core = 10.0;  // energy estimate without RAPL counters: draw per busy CPU core (W)
  double gpu_watts = 300.0;          // energy estimate for a GPU run: the GPU's draw while training (W)
  double grid_g_co2e_per_kwh = 400.0;  // carbon intensity of the electricity (g CO2e per kWh)
  bool tensorboard = true;           // also log to runs/NAME/tensorboard/ (scalars, sample grids, text, audio)
  int64_t dist_timeout_s = 300;      // data-parallel runs: how long a process waits for the others
                                     // (joining, each collective) before it gives up naming who

  template <class V>
  void visit(V& v) {
    using namespace config;
    v.field("steps", steps, at_least(1));
    v.field("batch_size", batch_size, at_least(1));
    v.field("log_every", log_every, at_least(1));
    v.field("sample_every", sample_every, at_least(0));
    v.field("checkpoint_every", checkpoint_every, at_least(1));
    v.field("keep_checkpoints", keep_checkpoints, at_least(1));
    v.field("seed", seed, at_least(0));
    v.field("device", device);
    v.field("precision", precision, one_of({"fp32", "bf16", "fp16"}));
    v.field("threads", threads, int_range(0, 4096));
    v.field("intra_op_threads", intra_op_threads, int_range(0, 4096));
    v.field("ema_decay", ema_decay, open_unit());
    v.field("eval_every", eval_every, at_least(0));
    v.field("cpu_watts_per_core", cpu_watts_per_core, non_negative());
    v.field("gpu_watts", gpu_watts, non_negative());
    v.field("grid_g_co2e_per_kwh", grid_g_co2e_per_kwh, non_negative());
    v.field("tensorboard", tensorboard);
    v.field("dist_timeout_s", dist_timeout_s, int_range(1, 86400));
  }
};

struct OptimConfig {
  std::string name = "adam";                 // "adam", "adamw", "rmsprop", "sgd" or "lamb"
  double lr = 2e-4;                          // peak learning rate
  std::vector<double> betas = {0.5, 0.999};  // Adam/AdamW/LAMB moment decays
  double eps = 1e-8;                         // denominator guard
  double weight_decay = 0.0;                 // L2 (adam, sgd, rmsprop) or decoupled (adamw, lamb)
  double momentum = 0.0;                     // SGD and RMSProp momentum
  double alpha = 0.99;                       // RMSProp smoothing constant
  std::string schedule = "constant";         // "constant" or "warmup_cosine"
  int64_t warmup_steps = 0;                  // linear warm-up length for warmup_cosine
  double min_lr_ratio = 0.1;                 // cosine floor as a fraction of lr
  int64_t decay_steps = 0;                   // step where the cosine reaches its floor (0 = train.steps);
                                             // fix it to resume a run with a larger train.steps exactly
  double grad_clip = 0.0;                    // max global gradient norm per network (0 = off)

  template <class V>
  void visit(V& v) {
    using namespace config;
    v.field("name", name, one_of({"adam", "adamw", "rmsprop", "sgd", "lamb"}));
    v.field("lr", lr, positive());
    v.field("betas", betas, Constraint<std::vector<double>>{
        "a list of two numbers in [0, 1)", [](const std::vector<double>& b) {
          return b.size() == 2 && b[0] >= 0 && b[0] < 1 && b[1] >= 0 && b[1] < 1;
        }});
    v.field("eps", eps, positive());
    v.field("weight_decay", weight_decay, non_negative());
    v.field("momentum", momentum, open_unit());
    v.field("alpha", alpha, open_unit());
    v.field("schedule", schedule, one_of({"constant", "warmup_cosine"}));
    v.field("warmup_steps", warmup_steps, at_least(0));
    v.field("min_lr_ratio", min_lr_ratio, in_range(0, 1));
    v.field("decay_steps", decay_steps, at_least(0));
    v.field("grad_clip", grad_clip, non_negative());
  }
};

struct SampleConfig {
  int64_t num = 64;            // images in a grid
  int64_t nrow = 8;            // images per grid row
  int64_t seed = 4321;         // fixed noise, so grids during training are comparable
  bool use_ema = true;         // sample from the EMA weights when the run keeps them

  template <class V>
  void visit(V& v) {
    using namespace config;
    v.field("num", num, int_range(1, 100000));    // the bounds of `gencli sample --num` and --nrow
    v.field("nrow", nrow, int_range(1, 10000));
    v.field("seed", seed, at_least(0));
    v.field("use_ema", use_ema);
  }
};

// Starting weights: a run can begin from another run's checkpoint (fine-tuning), or, for a
// family with adapters (GPT's LoRA), keep that checkpoint frozen as its base.
struct InitConfig {
  std::string from;    // checkpoint to start from ("" = fresh weights)
  std::string sha256;  // filled in at the start of training: the SHA-256 of `from`, checked on every load

  template <class V>
  void visit(V& v) {
    v.field("from", from);
    v.field("sha256", sha256);
  }
};

struct Config {
  std::string name = "run";      // run name; the default run folder is runs/<name>
  nlohmann::json model;          // family-owned section, resolved with defaults (has "type")
  DataConfig data;
  TrainConfig train;
  OptimConfig optim;
  SampleConfig sample;
  InitConfig init;

  std::string model_type() const { return model.at("type").get<std::string>(); }
};

// Validates the `model` section (a family's, see models/registry.h) and returns it with its
// defaults filled in. Core does not know the families, so the caller passes this in.
using ModelSectionResolver = std::function<nlohmann::json(const nlohmann::json& model)>;

// Parses and validates a whole config (throws ConfigError naming the JSON path); the model
// section goes to `resolve_model`. models/config_loading.h passes the registry's resolver.
Config parse_config(const nlohmann::json& j, const ModelSectionResolver& resolve_model);
nlohmann::json config_to_json(const Config& c);

// JSON as configs are read: comments allowed; nesting deeper than kMaxConfigNesting, a key given
// twice in one object and a number beyond a double are ConfigErrors naming `source` (a file,
// a --set) and the key path.
inline constexpr int kMaxConfigNesting = 64;
nlohmann::json parse_config_text(const std::string& text, const std::string& source);

// Reads a JSON file, applies `--set key.path=value` overrides, validates (see parse_config).
// An error in a key a --set wrote names that --set instead of the file.
Config read_config_file(const std::string& path, const std::vector<std::string>& overrides,
                        const ModelSectionResolver& resolve_model);

// Applies one "a.b.c=value" override to a raw JSON tree. The value is parsed as JSON
// when it parses (numbers, true, "quoted"), else taken as a string.
void apply_override(nlohmann::json& tree, const std::string& assignment);

}  // namespace gencli
