#pragma once
// The machine's ceiling through LibTorch, which every training figure is read against: the
// rate of a large float32 matrix product and of a 3x3 convolution, and bfloat16's matrix
// product where the hardware computes it natively (AVX512-BF16 or AMX on a CPU; any GPU).
#include "core/torch_api.h"

#include <string>

namespace gencli::bench {

struct PeakRates {
  double matmul_gflops = 0;       // float32, 1024 x 1024 by 1024 x 1024
  double conv_gflops = 0;         // float32, 3x3, 64 -> 64 channels on 28 x 28, batch 64, forward
  double bf16_matmul_gflops = 0;  // 0: not measured (no native bfloat16)
  std::string bf16_note;          // why bf16 was left out, if it was
};

// Each rate is the best of repeated runs over about `seconds` of work each, on `device` with
// the threads already set.
PeakRates measure_peak(const torch::Device& device, double seconds);

}  // namespace gencli::bench
