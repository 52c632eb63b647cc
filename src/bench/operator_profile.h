#pragma once
// Where a stretch of training time goes, operator by operator: LibTorch's own profiler (the
// legacy, CPU-side one: it exists unchanged in LibTorch 1.13 and 2.x) recorded on this thread
// and the threads it launches, then summed per operator name. `gencli bench train --profile`.
#include <cstdint>
#include <string>
#include <vector>

namespace gencli::bench {

struct OperatorTime {
  std::string name;     // LibTorch's operator or autograd node name ("aten::convolution", "AddmmBackward0")
  int64_t calls = 0;
  double self_ms = 0;   // inside this operator and not inside an operator it called
  double total_ms = 0;  // inside this operator, its callees included (a recursive call counted once)
};

struct OperatorProfile {
  std::vector<OperatorTime> operators;  // by self time, largest first
  double recorded_ms = 0;               // from the start of recording to its end
  double outside_ms = 0;                // of that, in no operator on any thread (the loop's own code)
};

// Records from start() to finish() on the calling thread. One recording at a time per thread.
class OperatorProfiler {
 public:
  OperatorProfiler() = default;
  OperatorProfiler(const OperatorProfiler&) = delete;
  OperatorProfiler& operator=(const OperatorProfiler&) = delete;
  ~OperatorProfiler();
  void start();
  // Stops recording; writes a Chrome trace (chrome://tracing, Perfetto) to trace_path unless it
  // is empty, and returns the per-operator sums.
  OperatorProfile finish(const std::string& trace_path);

 private:
  bool running_ = false;
};

}  // namespace gencli::bench
