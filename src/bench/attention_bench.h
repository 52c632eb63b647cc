#pragma once
// `gencli bench attention`: time and peak memory of one causal attention mode at a given
// context length, forward alone or with backward. One mode per process, so the peak resident
// set (ru_maxrss) belongs to that mode; scripts/bench_attention.sh runs them side by side.
#include <cstdint>
#include <string>

namespace gencli::bench {

struct AttentionBenchOptions {
  std::string mode = "naive";
  int64_t length = 1024;
  int64_t batch = 8;
  int64_t heads = 4;
  int64_t head_dim = 32;
  int64_t chunk = 128;
  int64_t repeats = 3;
  bool backward = false;
};

// Runs the mode and prints one line: the fastest of the repeats and the peak memory.
void run_attention_bench(const AttentionBenchOptions& options);

}  // namespace gencli::bench
