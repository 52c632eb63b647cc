#include "bench/attention_bench.h"

#include <chrono>
#include <cstdio>

#include "core/errors.h"
#include "core/process_stats.h"
#include "core/runtime_tuning.h"
#include "models/gpt/attention.h"

namespace gencli::bench {

void run_attention_bench(const AttentionBenchOptions& o) {
  if (o.mode != "naive" && o.mode != "chunked" && o.mode != "sdpa")
    throw UserError("--mode " + o.mode + ": one of naive, chunked, sdpa");
  set_cpu_threads(0);
  torch::manual_seed(0);
  const auto options = torch::TensorOptions().requires_grad(o.backward);
  torch::Tensor q = torch::randn({o.batch, o.heads, o.length, o.head_dim}, options);
  torch::Tensor k = torch::randn({o.batch, o.heads, o.length, o.head_dim}, options);
  torch::Tensor v = torch::randn({o.batch, o.heads, o.length, o.head_dim}, options);
  const double baseline = peak_rss_mb();
  double best = 1e30;
  for (int64_t r = 0; r < o.repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    if (o.backward) {
      gpt::causal_attention(o.mode, q, k, v, o.chunk).sum().backward();
    } else {
      torch::NoGradGuard no_grad;
      gpt::causal_attention(o.mode, q, k, v, o.chunk);
    }
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const bool own_kernel = o.mode == "sdpa" && !gpt::has_fused_attention();
  std::printf("mode %s%s  T %lld  batch %lld x %lld heads x %lld  %s  best of %lld: %.4f s  peak RSS %.0f MiB "
              "(+%.0f MiB over the inputs)\n",
              o.mode.c_str(), own_kernel ? " (gencli's CPU kernel: none in this LibTorch)" : "", static_cast<long long>(o.length),
              static_cast<long long>(o.batch), static_cast<long long>(o.heads), static_cast<long long>(o.head_dim),
              o.backward ? "forward+backward" : "forward", static_cast<long long>(o.repeats), best, peak_rss_mb(),
              peak_rss_mb() - baseline);
}

}  // namespace gencli::bench
