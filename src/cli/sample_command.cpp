#include <spdlog/spdlog.h>

#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "core/device.h"
#include "core/errors.h"
#include "core/runtime_tuning.h"
#include "io/image_grid.h"
#include "io/npy.h"
#include "models/load_checkpoint.h"
#include "models/sampling.h"

namespace gencli::cli {

namespace {

// --num, --nrow and --seed default to the checkpoint's `sample` section.
struct SampleOptions {
  std::string checkpoint;
  int64_t num = -1;
  int64_t nrow = -1;
  std::string out = "samples.png";
  int64_t seed = -1;
  int64_t klass = -1;  // -1: every class, one row each
  std::string npy;
  std::string device = "auto";
  bool no_ema = false;
};

void run_sample(SampleOptions o) {
  set_cpu_threads(0);
  const torch::Device device = resolve_device(o.device);
  LoadedModel loaded = load_model(o.checkpoint, device);
  if (o.num < 0) o.num = loaded.config.sample.num;
  if (o.nrow < 0) o.nrow = loaded.config.sample.nrow;
  if (o.seed < 0) o.seed = loaded.config.sample.seed;
  torch::Tensor images = draw_samples(*loaded.model, o.num, o.nrow, o.klass, static_cast<uint64_t>(o.seed), !o.no_ema);
  torch::Tensor unit = to_unit_range(images, loaded.config.data.range).cpu();
  save_grid_png(o.out, unit, o.nrow,
                {{"Software", std::string("gencli ") + GENCLI_VERSION},
                 {"gencli:model_type", loaded.config.model_type()},
                 {"gencli:checkpoint_sha256", loaded.sha256},
                 {"gencli:seed", std::to_string(o.seed)},
                 {"gencli:step", std::to_string(loaded.header.step)},
                 {"gencli:class", o.klass >= 0 ? std::to_string(o.klass) : "all"}});
  if (!o.npy.empty()) {
    torch::Tensor data = unit.contiguous().to(torch::kFloat);
    std::vector<int64_t> shape(data.sizes().begin(), data.sizes().end());
    npy::write_float32(o.npy, shape, data.data_ptr<float>());
  }
  std::printf("%s\n", std::filesystem::absolute(o.out).string().c_str());
  spdlog::info("{} samples from {} (step {}, seed {}) written to {}{}", o.num, o.checkpoint, loaded.header.step,
               o.seed, o.out, o.npy.empty() ? "" : " and " + o.npy);
}

}  // namespace

void add_sample_command(CLI::App& app) {
  auto o = std::make_shared<SampleOptions>();
  CLI::App* cmd = app.add_subcommand("sample", "draw samples from a checkpoint into a PNG grid");
  cmd->add_option("--checkpoint", o->checkpoint, "checkpoint file (.pt)")->required();
  cmd->add_option("--num,-n", o->num, "how many samples (default: the config's sample.num)")->check(CLI::Range(int64_t{1}, int64_t{100000}));
  cmd->add_option("--nrow", o->nrow, "images per grid row (default: sample.nrow)")->check(CLI::Range(int64_t{1}, int64_t{10000}));
  cmd->add_option("--out,-o", o->out, "PNG file to write");
  cmd->add_option("--seed", o->seed, "noise seed (default: sample.seed)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--class", o->klass, "class label for conditional models (default: one row per class)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--npy", o->npy, "also write the samples, in [0, 1], as a NumPy .npy array (N, C, H, W)");
  cmd->add_option("--device", o->device, "auto, cpu, cuda or cuda:N");
  cmd->add_flag("--no-ema", o->no_ema, "use the raw weights even when the checkpoint has EMA weights");
  cmd->callback([o] { run_sample(*o); });
}

}  // namespace gencli::cli
