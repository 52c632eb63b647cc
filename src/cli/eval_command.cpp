#include <cstdio>
#include <memory>
#include <spdlog/fmt/fmt.h>

#include "cli/commands.h"
#include "core/device.h"
#include "core/runtime_tuning.h"
#include "data/image_dataset.h"
#include "data/toy2d.h"
#include "data/toy2d_scatter.h"
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

void run_eval(const EvalOptions& o) {
  set_cpu_threads(0);
  const torch::Device device = resolve_device(o.device);
  LoadedModel loaded = load_model(o.checkpoint, device);
  set_cpu_threads(0, 0, loaded.model->prefers_parallel_ops());
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
  nlohmann::json result;
  {
    torch::NoGradGuard no_grad;
    loaded.model->eval();
    result = loaded.model->evaluate(ctx);
    if (loaded.config.data.type == "toy2d") add_toy2d_coverage(*loaded.model, loaded.config, o, result);
  }
  nlohmann::json report = {{"checkpoint", o.checkpoint},
                           {"model_type", loaded.config.model_type()},
                           {"step", loaded.header.step},
                           {"metrics", result}};
  if (o.json) {
    std::printf("%s\n", report.dump(2).c_str());
    return;
  }
  std::printf("%s (%s, step %lld)\n", o.checkpoint.c_str(), loaded.config.model_type().c_str(),
              static_cast<long long>(loaded.header.step));
  size_t width = 24;
  for (const auto& item : result.items()) width = std::max(width, item.key().size());
  for (const auto& item : result.items()) {
    // Floats to 6 significant digits; strings unquoted; lists and objects as compact JSON.
    const auto& v = item.value();
    std::string text = v.is_number_float() ? fmt::format("{:.6g}", v.get<double>())
                       : v.is_string()     ? v.get<std::string>()
                                           : v.dump();
    std::printf("  %-*s %s\n", static_cast<int>(width), item.key().c_str(), text.c_str());
  }
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "score a checkpoint");
  cmd->add_option("--checkpoint", o->checkpoint, "checkpoint file (.pt)")->required();
  cmd->add_flag("--json", o->json, "print the result as JSON");
  cmd->add_option("--num", o->num, "samples to generate for sample-based scores")
      ->check(CLI::Range(int64_t{2}, int64_t{1000000}));
  cmd->add_option("--seed", o->seed, "noise seed")->check(CLI::NonNegativeNumber);
  cmd->add_option("--iw-samples", o->iw_samples, "importance samples per test image for likelihood bounds (VAE)")
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  cmd->add_option("--test-limit", o->test_limit, "score only the first N test images, or N validation tokens for text (default: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--data-root", o->data_root, "test data folder, or text file for data.type text (default: the run's data.root / data.path)");
  cmd->add_option("--device", o->device, "auto, cpu, cuda or cuda:N");
  cmd->callback([o] { run_eval(*o); });
}

}  // namespace gencli::cli
