#pragma once
// Mixed precision (train.precision, sample and eval --precision): the floating-point type the
// forward passes compute in. LibTorch's autocast picks per operation: matrix products and
// convolutions in the lower precision, reductions and losses in float32. Weights, optimizer
// state and checkpoints stay float32 whatever the precision.
#include "core/torch_api.h"

#include <string>

#include "core/torch_compat.h"

namespace gencli {

enum class Precision { fp32, bf16, fp16 };

inline constexpr const char* kPrecisionNames = "\"fp32\", \"bf16\" or \"fp16\"";

// "fp32", "bf16" or "fp16"; anything else is a UserError naming `what` (a key or a flag).
Precision parse_precision(const std::string& name, const std::string& what);
std::string precision_name(Precision precision);

// Whether `precision` can run on `device`, for `what` (a key or a flag) to be named in the
// message: fp16 on a CPU is a UserError (LibTorch's CPU kernels have no fast float16 and the
// loss scaler is for GPUs); bf16 on a CPU without native bf16 arithmetic logs a one-line warning.
void check_precision_for_device(Precision precision, const torch::Device& device, const std::string& what);

// Autocast on `device`'s type for the guard's scope (nothing for fp32). Nests: the previous
// state comes back on exit, and the cache of casted weights is dropped when the outermost ends.
class AutocastGuard {
 public:
  AutocastGuard(Precision precision, const torch::Device& device);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType device_type_ = c10::kCPU;
  torch_compat::AutocastState previous_;
};

// Autocast keeps the low-precision copy of each weight it casts until the outermost guard ends.
// An optimizer step inside a guard calls this, or the rest of the training step (a GAN's
// generator step reading its discriminator) would compute with the weights from before the step.
void forget_autocast_weight_casts();

// Autocast off on the CPU and CUDA for the guard's scope, for backward passes: each backward op
// runs in the type its forward op chose, without being cast again (as PyTorch advises).
class AutocastSuspended {
 public:
  AutocastSuspended();
  ~AutocastSuspended();
  AutocastSuspended(const AutocastSuspended&) = delete;
  AutocastSuspended& operator=(const AutocastSuspended&) = delete;

 private:
  torch_compat::AutocastState cpu_, cuda_;
};

}  // namespace gencli
