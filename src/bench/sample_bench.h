#pragma once
// `gencli bench sample`: the generation speed of a checkpoint through its family's own
// sampling path (the one `gencli sample` takes), with its cache and without where it has one.
#include <cstdint>
#include <string>
#include <vector>

namespace gencli::bench {

struct SampleBenchOptions {
  std::string checkpoint;
  std::string device = "auto";
  int64_t num = 8;         // images per timed draw
  int64_t tokens = 200;    // text models: tokens per timed draw
  double seconds = 0.25;   // audio models: length of the timed clip
  std::string sampler;     // diffusion: ddpm or ddim ("" = the family's default)
  int64_t steps = 0;       // diffusion: denoising steps (0 = the sampler's default)
  std::string cache = "both";  // models with a generation cache: on, off or both
  uint64_t seed = 0;
  int threads = 0;           // CPU threads for matrix products (0 = every usable core)
  int intra_op_threads = 0;  // LibTorch's pool (0 = the family's plan, see ThreadPlan)
};

// One timed draw. rate is in unit: images/s, tokens/s, or for audio the real-time factor
// (seconds of audio per second of wall time: above 1 is faster than real time).
struct SampleTiming {
  std::string what;   // images, tokens or audio
  std::string cache;  // on, off, or "-" for families without one
  double amount = 0;  // images, tokens or seconds of audio drawn
  double seconds = 0;
  double rate = 0;
  std::string unit;
  int blas_threads = 0, intra_op_threads = 0;  // the thread plan it ran under
};

struct SampleBenchResult {
  std::string checkpoint, model_type, device;
  int64_t step = 0;
  int blas_threads = 0, intra_op_threads = 0;  // the first timing's plan
  std::vector<SampleTiming> timings;
  double peak_rss_mb = 0;
};

SampleBenchResult bench_sampling(const SampleBenchOptions& options);

}  // namespace gencli::bench
