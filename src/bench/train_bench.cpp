#include "bench/train_bench.h"

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "bench/recycled_cpu_memory.h"
#include "core/errors.h"
#include "core/process_stats.h"
#include "train/trainer.h"

namespace gencli::bench {
namespace {

namespace fs = std::filesystem;

// A scratch run folder under the system's temporary folder, removed when this goes out of scope.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::string pattern = (fs::temp_directory_path() / "gencli-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr)
      throw UserError("bench train: cannot create a scratch folder in " + fs::temp_directory_path().string());
    path_ = pattern;
  }
  ~ScratchFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

TrainBenchResult bench_training(const TrainBenchOptions& o) {
  if (o.steps < 1) throw UserError("bench train: --steps " + std::to_string(o.steps) + ": at least 1");
  if (o.warmup < 1) throw UserError("bench train: --warmup " + std::to_string(o.warmup) + ": at least 1 (the timing starts at a step's end)");
  // A trace that cannot be written fails now, not after the steps.
  if (!o.trace_path.empty()) {
    const fs::path path = fs::absolute(o.trace_path), folder = path.parent_path();
    if (!fs::is_directory(folder))
      throw UserError("bench train: --trace " + o.trace_path + ": the folder " + folder.string() + " does not exist");
    if (fs::exists(path) && !fs::is_regular_file(path))
      throw UserError("bench train: --trace " + o.trace_path + ": exists and is not a file");
  }
  const ScratchFolder scratch;
  const int64_t total = o.warmup + o.steps;
  TrainOptions train;
  train.config_path = o.config_path;
  train.overrides = o.overrides;
  // Only the steps themselves: no grids, no validation, one checkpoint after the last step.
  for (const std::string& s : {"train.steps=" + std::to_string(total), std::string("train.sample_every=0"),
                               std::string("train.eval_every=0"), "train.checkpoint_every=" + std::to_string(total),
                               "train.log_every=" + std::to_string(total), std::string("train.tensorboard=false")})
    train.overrides.push_back(s);
  train.out_dir = (fs::path(scratch.path()) / "run").string();
  StepTimeline timeline;
  OperatorProfiler profiler;
  OperatorProfile profile;
  if (o.profile)
    timeline.on_step_end = [&](int64_t ended) {
      if (ended == o.warmup) profiler.start();
      if (ended == total) profile = profiler.finish(o.trace_path);
    };
  train.timeline = &timeline;
  // For the whole run, so that the profiled steps reuse the warm-up's blocks (a training step
  // asks for the same sizes every step; the blocks go back when the run ends).
  std::optional<RecycledCpuMemory> recycled;
  if (o.profile) recycled.emplace();
  run_training(train);
  if (static_cast<int64_t>(timeline.step_ends.size()) != total)
    throw UserError("bench train: the loop ran " + std::to_string(timeline.step_ends.size()) + " steps, not " +
                    std::to_string(total));

  TrainBenchResult r;
  r.config = o.config_path;
  r.model_type = timeline.model_type;
  r.device = timeline.device;
  r.tuning = timeline.tuning;
  r.steps = o.steps;
  r.warmup = o.warmup;
  r.batch_size = timeline.batch_size;
  r.blas_threads = timeline.blas_threads;
  r.intra_op_threads = timeline.intra_op_threads;
  // From the end of the last warm-up step to the end of the last step.
  const double seconds = std::chrono::duration<double>(timeline.step_ends.back() -
                                                       timeline.step_ends[static_cast<size_t>(o.warmup - 1)])
                             .count();
  r.steps_per_s = double(o.steps) / seconds;
  r.samples_per_s = r.steps_per_s * double(r.batch_size);
  r.flops_per_step = timeline.flops_per_step;
  r.achieved_gflops = r.flops_per_step * r.steps_per_s / 1e9;
  const double since_first_step =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - timeline.step_ends.front()).count();
  r.startup_s = process_age_seconds() - since_first_step;
  r.peak_rss_mb = peak_rss_mb();
  r.profile = std::move(profile);
  return r;
}

}  // namespace gencli::bench
