#pragma once
// `gencli bench train`: a config trained for warmup + steps steps by the shared loop (the same
// code path as `gencli train`, in a scratch run folder removed afterwards), timed step by step.
#include <cstdint>
#include <string>
#include <vector>

#include "bench/operator_profile.h"

namespace gencli::bench {

struct TrainBenchOptions {
  std::string config_path;
  std::vector<std::string> overrides;  // --set, as for train
  int64_t steps = 30;                  // timed steps
  int64_t warmup = 5;                  // untimed steps before them (first-call allocation, kernel choice)
  bool profile = false;                // record the timed steps operator by operator
  std::string trace_path;              // with profile: where their Chrome trace goes ("" = nowhere)
};

struct TrainBenchResult {
  std::string config, model_type, device, tuning;
  int64_t steps = 0, warmup = 0, batch_size = 0;
  int blas_threads = 0, intra_op_threads = 0;
  double steps_per_s = 0, samples_per_s = 0;
  double flops_per_step = 0, achieved_gflops = 0;  // matrix products and convolutions only
  double startup_s = 0;    // from the process's start to the end of the first step
  double peak_rss_mb = 0;  // of the whole process: data, model, optimizer state, LibTorch
  OperatorProfile profile;  // with options.profile: the timed steps (which its recording slows)
};

TrainBenchResult bench_training(const TrainBenchOptions& options);

}  // namespace gencli::bench
