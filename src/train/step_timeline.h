#pragma once
// When each step of a training session ended, and what it cost: what `gencli bench train`
// reads from a real run of the shared loop. The loop fills it in when it is given one.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gencli {

struct StepTimeline {
  std::vector<std::chrono::steady_clock::time_point> step_ends;  // one per step, in order
  double flops_per_step = 0;  // matrix products and convolutions of the first step (train/flop_counter.h)
  int64_t batch_size = 0;
  int blas_threads = 0, intra_op_threads = 0;
  std::string device, model_type, tuning;
  // Called with the number of steps ended so far, right after each step's end is recorded.
  std::function<void(int64_t steps_ended)> on_step_end;
};

}  // namespace gencli
