#include "eval/family_metrics.h"

#include <memory>

#include "data/image_dataset.h"
#include "data/toy2d.h"
#include "data/toy2d_scatter.h"
#include "models/sampling.h"
#include "train/run_data.h"

namespace gencli::eval {

namespace {

// data.type "toy2d" with modes (ring8, grid25): how many modes --num samples from the prior
// reach, scored the same way for every family. Conditional models cycle through the labels.
void add_toy2d_coverage(Model& model, const Config& config, const FamilyMetricsSettings& s, nlohmann::json& result) {
  if (toy2d_mode_centres(config.data.toy, config.data.range).empty()) return;
  SampleRequest request;
  request.num = s.num;
  request.use_ema = config.sample.use_ema;
  torch::Tensor points = toy2d_points(draw_samples(model, request, 1, -1, static_cast<uint64_t>(s.seed)));
  const ToyCoverage c = toy2d_coverage(points, config.data.toy, config.data.range);
  result["toy_modes_total"] = c.modes_total;
  result["toy_modes_covered"] = c.modes_covered;
  result["toy_mean_distance"] = c.mean_distance;
  result["toy_high_quality"] = c.high_quality;
}

}  // namespace

nlohmann::json family_metrics(LoadedModel& loaded, const FamilyMetricsSettings& s, const torch::Device& device) {
  ImageDataset test_set;
  std::unique_ptr<SequentialBatches> test_batches;
  EvalContext ctx;
  ctx.num_samples = s.num;
  ctx.seed = s.seed;
  ctx.iw_samples = s.iw_samples;
  if (loaded.model->capabilities().needs_data) {
    Config config = loaded.config;
    if (!s.data_root.empty()) (config.data.type == "text" ? config.data.path : config.data.root) = s.data_root;
    ctx.test_split = load_held_out(config, *loaded.model, device, s.test_limit);
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
  if (loaded.model->capabilities().output == Output::points) add_toy2d_coverage(*loaded.model, loaded.config, s, result);
  return result;
}

}  // namespace gencli::eval
