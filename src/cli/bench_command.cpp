// `gencli bench attention`: time and peak memory of one causal attention mode at a given
// context length, forward alone or with backward. One mode per process, so the peak resident
// set (ru_maxrss) belongs to that mode; scripts/bench_attention.sh runs them side by side.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "core/errors.h"
#include "core/runtime_tuning.h"
#include "models/gpt/attention.h"

namespace gencli::cli {

namespace {

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

double peak_rss_mib() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // KiB on Linux
}

void run_attention_bench(const AttentionBenchOptions& o) {
  if (o.mode != "naive" && o.mode != "chunked" && o.mode != "sdpa")
    throw UserError("--mode " + o.mode + ": one of naive, chunked, sdpa");
  set_cpu_threads(0);
  torch::manual_seed(0);
  const auto options = torch::TensorOptions().requires_grad(o.backward);
  torch::Tensor q = torch::randn({o.batch, o.heads, o.length, o.head_dim}, options);
  torch::Tensor k = torch::randn({o.batch, o.heads, o.length, o.head_dim}, options);
  torch::Tensor v = torch::randn({o.batch, o.heads, o.length, o.head_dim}, options);
  const double baseline = peak_rss_mib();
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
  const bool fused = o.mode != "sdpa" || gpt::has_fused_attention();
  std::printf("mode %s%s  T %lld  batch %lld x %lld heads x %lld  %s  best of %lld: %.3f s  peak RSS %.0f MiB "
              "(+%.0f MiB over the inputs)\n",
              o.mode.c_str(), fused ? "" : " (naive: no fused kernel in this LibTorch)", static_cast<long long>(o.length),
              static_cast<long long>(o.batch), static_cast<long long>(o.heads), static_cast<long long>(o.head_dim),
              o.backward ? "forward+backward" : "forward", static_cast<long long>(o.repeats), best, peak_rss_mib(),
              peak_rss_mib() - baseline);
}

}  // namespace

void add_bench_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("bench", "micro-benchmarks (attention)");
  cmd->require_subcommand(1);
  auto o = std::make_shared<AttentionBenchOptions>();
  CLI::App* attention = cmd->add_subcommand("attention", "time and peak memory of one causal attention mode");
  attention->add_option("--mode", o->mode, "naive, chunked or sdpa");
  attention->add_option("--length", o->length, "context length T (default 1024)")->check(CLI::Range(int64_t{1}, int64_t{65536}));
  attention->add_option("--batch", o->batch, "sequences (default 8)")->check(CLI::Range(int64_t{1}, int64_t{4096}));
  attention->add_option("--heads", o->heads, "heads (default 4)")->check(CLI::Range(int64_t{1}, int64_t{256}));
  attention->add_option("--head-dim", o->head_dim, "width per head (default 32)")->check(CLI::Range(int64_t{1}, int64_t{1024}));
  attention->add_option("--chunk", o->chunk, "chunked: block size (default 128)")->check(CLI::Range(int64_t{1}, int64_t{65536}));
  attention->add_option("--repeats", o->repeats, "runs; the fastest is reported (default 3)")->check(CLI::Range(int64_t{1}, int64_t{100}));
  attention->add_flag("--backward", o->backward, "time forward and backward (autograd keeps what backward needs)");
  attention->callback([o] { run_attention_bench(*o); });
}

}  // namespace gencli::cli
