#include "bench/peak.h"

#include <chrono>
#include <functional>

#include "bench/device_sync.h"
#include "core/cpu_features.h"

namespace gencli::bench {
namespace {

// FLOPs per run divided by the fastest run, over at least `seconds` of runs (and at least 3)
// after one untimed run, which pays for first-call allocation and kernel selection.
double best_rate(const torch::Device& device, double flops, double seconds, const std::function<void()>& op) {
  torch::NoGradGuard no_grad;
  op();
  wait_for(device);
  double best = 1e30, spent = 0;
  for (int runs = 0; runs < 3 || spent < seconds; ++runs) {
    const auto start = std::chrono::steady_clock::now();
    op();
    wait_for(device);
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, t);
    spent += t;
  }
  return flops / best / 1e9;
}

double matmul_rate(const torch::Device& device, torch::ScalarType dtype, double seconds) {
  constexpr int64_t n = 1024;
  const auto options = torch::TensorOptions().device(device).dtype(dtype);
  const torch::Tensor a = torch::randn({n, n}, options), b = torch::randn({n, n}, options);
  torch::Tensor c = torch::empty({n, n}, options);
  return best_rate(device, 2.0 * n * n * n, seconds, [&] { torch::mm_out(c, a, b); });
}

double conv_rate(const torch::Device& device, double seconds) {
  constexpr int64_t batch = 64, channels = 64, side = 28, kernel = 3;
  const auto options = torch::TensorOptions().device(device);
  const torch::Tensor x = torch::randn({batch, channels, side, side}, options);
  const torch::Tensor w = torch::randn({channels, channels, kernel, kernel}, options);
  const torch::Tensor bias = torch::randn({channels}, options);
  const double flops = 2.0 * batch * channels * side * side * channels * kernel * kernel;
  return best_rate(device, flops, seconds, [&] { torch::conv2d(x, w, bias, 1, 1); });
}

}  // namespace

PeakRates measure_peak(const torch::Device& device, double seconds) {
  PeakRates peak;
  peak.matmul_gflops = matmul_rate(device, torch::kFloat, seconds);
  peak.conv_gflops = conv_rate(device, seconds);
  // Without native bfloat16 LibTorch emulates it through float32, slower than float32 itself:
  // that would be no ceiling.
  if (device.is_cuda() || cpu_has_native_bf16())
    peak.bf16_matmul_gflops = matmul_rate(device, torch::kBFloat16, seconds);
  else
    peak.bf16_note = "no native bfloat16 on this CPU (AVX512-BF16 or AMX)";
  return peak;
}

}  // namespace gencli::bench
