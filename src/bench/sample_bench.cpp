#include "bench/sample_bench.h"

#include <chrono>
#include <cmath>

#include "bench/device_sync.h"
#include "core/device.h"
#include "core/errors.h"
#include "core/process_stats.h"
#include "core/runtime_tuning.h"
#include "models/sampling.h"
#include "train/checkpoint.h"

namespace gencli::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

SampleTiming time_images(Model& model, const SampleBenchOptions& o, const torch::Device& device, bool cache,
                         bool has_cache) {
  SampleRequest request;
  request.num = o.num;
  request.use_cache = cache;
  if (!o.sampler.empty()) request.sampler = o.sampler;
  request.steps = o.steps;
  const auto start = Clock::now();
  draw_samples(model, request, o.num, -1, o.seed);
  wait_for(device);
  const double s = seconds_since(start);
  return {"images", has_cache ? (cache ? "on" : "off") : "-", double(o.num), s, double(o.num) / s, "images/s"};
}

SampleTiming time_audio(Model& model, const SampleBenchOptions& o, const torch::Device& device, bool cache,
                        int64_t sample_rate) {
  SampleRequest request;
  request.num = 1;
  request.length = std::max<int64_t>(1, std::llround(o.seconds * double(sample_rate)));
  request.use_cache = cache;
  const auto start = Clock::now();
  draw_samples(model, request, 1, -1, o.seed);
  wait_for(device);
  const double s = seconds_since(start);
  const double audio = double(request.length) / double(sample_rate);
  return {"audio", cache ? "on" : "off", audio, s, audio / s, "x real time"};
}

SampleTiming time_text(Model& model, const SampleBenchOptions& o, bool cache) {
  TextRequest request;
  request.max_new_tokens = o.tokens;
  request.use_cache = cache;
  request.generator = at::detail::createCPUGenerator(o.seed);
  request.emit = [](const std::string&) {};
  const auto start = Clock::now();
  model.sample_text(request);
  const double s = seconds_since(start);
  return {"tokens", cache ? "on" : "off", double(o.tokens), s, double(o.tokens) / s, "tokens/s"};
}

}  // namespace

SampleBenchResult bench_sampling(const SampleBenchOptions& o) {
  if (o.cache != "on" && o.cache != "off" && o.cache != "both")
    throw UserError("bench sample: --cache " + o.cache + ": one of on, off, both");
  const torch::Device device = resolve_device(o.device, "--device");
  LoadedModel loaded = load_model(o.checkpoint, device);
  Model& model = *loaded.model;
  const Capabilities& caps = model.capabilities();
  model.eval();
  torch::NoGradGuard no_grad;

  SampleBenchResult r;
  r.checkpoint = o.checkpoint;
  r.model_type = loaded.config.model_type();
  r.device = device.str();
  r.step = loaded.header.step;
  std::vector<bool> caches = {true};
  if (caps.reads.cache && o.cache != "on") caches = o.cache == "off" ? std::vector<bool>{false} : std::vector<bool>{true, false};
  for (bool cache : caches) {
    // The plan `gencli sample` would take, which may differ with and without the cache.
    const ThreadPlan threads = set_cpu_threads(o.threads, o.intra_op_threads, caps.parallel_sampling(cache));
    SampleTiming t = caps.output == Output::text    ? time_text(model, o, cache)
                     : caps.output == Output::audio ? time_audio(model, o, device, cache, caps.audio_sample_rate)
                                                    : time_images(model, o, device, cache, caps.reads.cache);
    t.blas_threads = threads.blas;
    t.intra_op_threads = threads.intra_op;
    r.timings.push_back(t);
  }
  r.blas_threads = r.timings.front().blas_threads;
  r.intra_op_threads = r.timings.front().intra_op_threads;
  r.peak_rss_mb = peak_rss_mb();
  return r;
}

}  // namespace gencli::bench
