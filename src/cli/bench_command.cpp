// `gencli bench`: the project's benchmarks. peak: the machine's ceiling; train: a config's
// training speed through the real loop; sample: a checkpoint's generation speed; attention:
// one causal attention mode. --json prints one JSON object (scripts/bench.sh collects them);
// otherwise a few plain lines.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "bench/attention_bench.h"
#include "bench/peak.h"
#include "bench/sample_bench.h"
#include "bench/train_bench.h"
#include "cli/commands.h"
#include "cli/option_rules.h"
#include "core/device.h"
#include "core/errors.h"
#include "core/runtime_tuning.h"

namespace gencli::cli {

namespace {

constexpr double kPeakSeconds = 1.0;  // of work per peak figure: enough for a stable best

void print_json(const nlohmann::json& j) {
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
}

nlohmann::json peak_json(const bench::PeakRates& p) {
  nlohmann::json j = {{"matmul_gflops", p.matmul_gflops}, {"conv_gflops", p.conv_gflops}};
  j["bf16_matmul_gflops"] = p.bf16_matmul_gflops > 0 ? nlohmann::json(p.bf16_matmul_gflops) : nlohmann::json(nullptr);
  if (!p.bf16_note.empty()) j["bf16_note"] = p.bf16_note;
  return j;
}

void print_peak_lines(const bench::PeakRates& p) {
  std::printf("float32 matrix product (1024^3):           %8.1f GFLOP/s\n", p.matmul_gflops);
  std::printf("float32 3x3 convolution (64->64, 28x28 x64): %6.1f GFLOP/s\n", p.conv_gflops);
  if (p.bf16_matmul_gflops > 0)
    std::printf("bfloat16 matrix product (1024^3):          %8.1f GFLOP/s\n", p.bf16_matmul_gflops);
  else
    std::printf("bfloat16: not measured (%s)\n", p.bf16_note.c_str());
}

struct PeakOptions {
  std::string device = "auto";
  int threads = 0;
  bool json = false;
};

void run_peak(const PeakOptions& o) {
  const torch::Device device = resolve_device(o.device, "--device");
  // The ceiling: every thread in both pools (convolutions run in LibTorch's, products in BLAS's).
  const ThreadPlan threads = set_cpu_threads(o.threads, 0, /*parallel_ops=*/true);
  const bench::PeakRates p = bench::measure_peak(device, kPeakSeconds);
  if (o.json) {
    nlohmann::json j = peak_json(p);
    j["bench"] = "peak";
    j["device"] = device.str();
    j["threads"] = threads.blas;
    j["intra_op_threads"] = threads.intra_op;
    return print_json(j);
  }
  std::printf("peak on %s, %d + %d threads:\n", device.str().c_str(), threads.blas, threads.intra_op);
  print_peak_lines(p);
}

nlohmann::json profile_json(const bench::OperatorProfile& p, int64_t steps) {
  const double n = double(steps);
  nlohmann::json operators = nlohmann::json::array();
  for (const bench::OperatorTime& t : p.operators)
    operators.push_back({{"name", t.name}, {"calls_per_step", double(t.calls) / n},
                         {"self_ms_per_step", t.self_ms / n}, {"total_ms_per_step", t.total_ms / n}});
  return {{"recorded_ms_per_step", p.recorded_ms / n}, {"outside_operators_ms_per_step", p.outside_ms / n},
          {"operators", operators}};
}

// The operators that took the most time of their own, per step, and the time in none.
void print_profile(const bench::OperatorProfile& p, int64_t steps) {
  constexpr size_t kShown = 25;
  const double n = double(steps);
  std::printf("operators of the timed steps, by their own time (recorded: %.2f ms a step, profiler included):\n",
              p.recorded_ms / n);
  std::printf("  %10s %10s %8s  %s\n", "self ms", "total ms", "calls", "operator");
  for (size_t i = 0; i < std::min(kShown, p.operators.size()); ++i) {
    const bench::OperatorTime& t = p.operators[i];
    std::printf("  %10.3f %10.3f %8.1f  %s\n", t.self_ms / n, t.total_ms / n, double(t.calls) / n, t.name.c_str());
  }
  if (p.operators.size() > kShown)
    std::printf("  ... %zu more (all of them with --json)\n", p.operators.size() - kShown);
  std::printf("  %10.3f %10s %8s  (in no operator on any thread: the loop's own code)\n",
              p.outside_ms / n, "", "");
}

struct TrainCommandOptions {
  bench::TrainBenchOptions bench;
  std::string device;
  int threads = -1;
  bool json = false;
  bool peak = true;
};

void run_train(TrainCommandOptions o) {
  if (!o.bench.trace_path.empty()) o.bench.profile = true;
  if (!o.device.empty()) o.bench.overrides.push_back("train.device=\"" + o.device + "\"");
  if (o.threads >= 0) o.bench.overrides.push_back("train.threads=" + std::to_string(o.threads));
  const bench::TrainBenchResult r = bench::bench_training(o.bench);
  nlohmann::json j = {{"bench", "train"},
                      {"config", r.config},
                      {"model_type", r.model_type},
                      {"device", r.device},
                      {"threads", r.blas_threads},
                      {"intra_op_threads", r.intra_op_threads},
                      {"tuning", r.tuning},
                      {"batch_size", r.batch_size},
                      {"steps", r.steps},
                      {"warmup", r.warmup},
                      {"steps_per_s", r.steps_per_s},
                      {"samples_per_s", r.samples_per_s},
                      {"flops_per_step", r.flops_per_step},
                      {"achieved_gflops", r.achieved_gflops},
                      {"startup_s", r.startup_s},
                      {"peak_rss_mb", r.peak_rss_mb}};
  if (o.peak) {
    // Measured after training, in the same process, with the run's threads in both pools: the
    // machine's ceiling at that thread count, whatever split the family's training used.
    set_cpu_threads(r.blas_threads, r.blas_threads);
    const bench::PeakRates p = bench::measure_peak(torch::Device(r.device), kPeakSeconds);
    j["peak"] = peak_json(p);
    j["share_of_matmul_peak"] = r.achieved_gflops / p.matmul_gflops;
    j["share_of_conv_peak"] = r.achieved_gflops / p.conv_gflops;
  }
  if (o.bench.profile) j["profile"] = profile_json(r.profile, r.steps);
  if (o.json) return print_json(j);
  std::printf("%s (%s) on %s, %d + %d threads, batch %lld: %.2f steps/s, %.1f samples/s over %lld steps after %lld "
              "warm-up\n",
              r.config.c_str(), r.model_type.c_str(), r.device.c_str(), r.blas_threads, r.intra_op_threads,
              static_cast<long long>(r.batch_size), r.steps_per_s, r.samples_per_s, static_cast<long long>(r.steps),
              static_cast<long long>(r.warmup));
  std::printf("%.2f GFLOP a step (products and convolutions): %.1f GFLOP/s", r.flops_per_step / 1e9,
              r.achieved_gflops);
  if (o.peak)
    std::printf(", %.0f %% of the matrix-product peak, %.0f %% of the convolution peak",
                100 * j["share_of_matmul_peak"].get<double>(), 100 * j["share_of_conv_peak"].get<double>());
  std::printf("\nstart-up to the end of the first step %.2f s; peak RSS %.0f MiB\n", r.startup_s, r.peak_rss_mb);
  if (o.bench.profile) print_profile(r.profile, r.steps);
  if (!o.bench.trace_path.empty()) std::printf("Chrome trace of the timed steps: %s\n", o.bench.trace_path.c_str());
}

struct SampleCommandOptions {
  bench::SampleBenchOptions bench;
  int64_t seed = 0;
  bool json = false;
};

void run_sample(SampleCommandOptions o) {
  o.bench.seed = static_cast<uint64_t>(o.seed);
  const bench::SampleBenchResult r = bench::bench_sampling(o.bench);
  nlohmann::json timings = nlohmann::json::array();
  for (const auto& t : r.timings)
    timings.push_back({{"what", t.what}, {"cache", t.cache}, {"amount", t.amount}, {"seconds", t.seconds},
                       {"rate", t.rate}, {"unit", t.unit}, {"threads", t.blas_threads},
                       {"intra_op_threads", t.intra_op_threads}});
  if (o.json)
    return print_json({{"bench", "sample"}, {"checkpoint", r.checkpoint}, {"model_type", r.model_type},
                       {"device", r.device}, {"threads", r.blas_threads}, {"intra_op_threads", r.intra_op_threads},
                       {"step", r.step}, {"timings", timings}, {"peak_rss_mb", r.peak_rss_mb}});
  std::printf("%s (%s, step %lld) on %s:\n", r.checkpoint.c_str(), r.model_type.c_str(),
              static_cast<long long>(r.step), r.device.c_str());
  for (const auto& t : r.timings)
    std::printf("  %g %s%s in %.2f s: %.3g %s (%d + %d threads)\n", t.amount,
                t.what == "audio" ? "s of audio" : t.what.c_str(),
                t.cache == "-" ? "" : (t.cache == "on" ? " (cache)" : " (no cache)"), t.seconds, t.rate, t.unit.c_str(),
                t.blas_threads, t.intra_op_threads);
  std::printf("  peak RSS %.0f MiB\n", r.peak_rss_mb);
}

void add_attention(CLI::App& cmd) {
  auto o = std::make_shared<bench::AttentionBenchOptions>();
  CLI::App* attention = cmd.add_subcommand("attention", "time and peak memory of one causal attention mode");
  attention->add_option("--mode", o->mode, "naive, chunked or sdpa");
  attention->add_option("--length", o->length, "context length T (default 1024)")->check(CLI::Range(int64_t{1}, int64_t{65536}));
  attention->add_option("--batch", o->batch, "sequences (default 8)")->check(CLI::Range(int64_t{1}, int64_t{4096}));
  attention->add_option("--heads", o->heads, "heads (default 4)")->check(CLI::Range(int64_t{1}, int64_t{256}));
  attention->add_option("--head-dim", o->head_dim, "width per head (default 32)")->check(CLI::Range(int64_t{1}, int64_t{1024}));
  attention->add_option("--chunk", o->chunk, "chunked: block size (default 128)")->check(CLI::Range(int64_t{1}, int64_t{65536}));
  attention->add_option("--repeats", o->repeats, "runs; the fastest is reported (default 3)")->check(CLI::Range(int64_t{1}, int64_t{100}));
  attention->add_flag("--backward", o->backward, "time forward and backward (autograd keeps what backward needs)");
  attention->callback([o] { bench::run_attention_bench(*o); });
}

}  // namespace

void add_bench_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("bench", "benchmarks: the machine's peak, training and generation speed, attention");
  cmd->require_subcommand(1);

  auto peak = std::make_shared<PeakOptions>();
  CLI::App* p = cmd->add_subcommand("peak", "float32 matrix-product and convolution GFLOP/s (and bfloat16's where native)");
  p->add_option("--device", peak->device, "auto, cpu, cuda or cuda:N");
  p->add_option("--threads", peak->threads, "CPU threads, 0 = as gencli chooses (default)")->check(integer_in(0, 4096));
  p->add_flag("--json", peak->json, "one JSON object");
  p->callback([peak] { run_peak(*peak); });

  auto train = std::make_shared<TrainCommandOptions>();
  CLI::App* t = cmd->add_subcommand("train", "steps/s, samples/s, GFLOP/s and its share of the peak, peak RSS and "
                                             "start-up time of a config, trained by the shared loop in a scratch folder");
  t->add_option("--config,-c", train->bench.config_path, "config file (JSON)")->required();
  t->add_option("--set", train->bench.overrides, "override a config key, as for train (repeatable)")->take_all();
  t->add_option("--steps", train->bench.steps, "timed steps (default 30)")->check(integer_in(1, 1000000));
  t->add_option("--warmup", train->bench.warmup, "untimed steps before them (default 5)")->check(integer_in(1, 1000000));
  t->add_option("--device", train->device, "auto, cpu, cuda or cuda:N (sets train.device)");
  t->add_option("--threads", train->threads, "CPU threads, 0 = all cores (sets train.threads)")->check(integer_in(0, 4096));
  t->add_flag("--json", train->json, "one JSON object");
  t->add_flag("!--no-peak", train->peak, "leave out the peak measurement (and the shares of it)");
  t->add_flag("--profile", train->bench.profile,
              "record the timed steps with LibTorch's profiler and list the operators by time (the recording "
              "slows the steps)");
  t->add_option("--trace", train->bench.trace_path,
                "write the timed steps' Chrome trace (chrome://tracing, Perfetto) to this file (implies --profile)");
  t->callback([train] { run_train(*train); });

  auto sample = std::make_shared<SampleCommandOptions>();
  CLI::App* s = cmd->add_subcommand("sample", "images/s, tokens/s or audio real-time factor of a checkpoint, with and "
                                              "without its generation cache");
  s->add_option("--checkpoint", sample->bench.checkpoint, "checkpoint (.pt) or export")->required();
  s->add_option("--device", sample->bench.device, "auto, cpu, cuda or cuda:N");
  s->add_option("--num,-n", sample->bench.num, "image models: images per draw (default 8)")->check(integer_in(1, 100000));
  s->add_option("--tokens", sample->bench.tokens, "text models: tokens per draw (default 200)")->check(integer_in(1, 1000000));
  s->add_option("--seconds", sample->bench.seconds, "audio models: seconds of audio per draw (default 0.25)")
      ->check(CLI::Range(0.001, 600.0));
  s->add_option("--sampler", sample->bench.sampler, "diffusion: ddpm or ddim");
  s->add_option("--steps", sample->bench.steps, "diffusion: denoising steps")->check(integer_in(1, 100000));
  s->add_option("--cache", sample->bench.cache, "models with a generation cache: on, off or both (default)");
  s->add_option("--seed", sample->seed, "noise seed (default 0)")->check(integer_in(0));
  s->add_option("--threads", sample->bench.threads, "CPU threads, 0 = all cores (default)")->check(integer_in(0, 4096));
  s->add_option("--intra-op-threads", sample->bench.intra_op_threads,
                "LibTorch's pool, 0 = the family's plan (default)")->check(integer_in(0, 4096));
  s->add_flag("--json", sample->json, "one JSON object");
  s->callback([sample] { run_sample(*sample); });

  add_attention(*cmd);
}

}  // namespace gencli::cli
