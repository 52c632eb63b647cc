#include "core/precision.h"

#include <ATen/autocast_mode.h>
#include <spdlog/spdlog.h>

#include "core/config_fields.h"
#include "core/cpu_features.h"
#include "core/errors.h"

namespace gencli {

Precision parse_precision(const std::string& name, const std::string& what) {
  if (name == "fp32") return Precision::fp32;
  if (name == "bf16") return Precision::bf16;
  if (name == "fp16") return Precision::fp16;
  throw UserError(what + ": expected " + kPrecisionNames + ", got \"" + config::echo_text(name) + "\"");
}

std::string precision_name(Precision precision) {
  switch (precision) {
    case Precision::bf16: return "bf16";
    case Precision::fp16: return "fp16";
    default: return "fp32";
  }
}

void check_precision_for_device(Precision precision, const torch::Device& device, const std::string& what) {
  if (!device.is_cpu()) return;
  if (precision == Precision::fp16)
    throw UserError(what + ": \"fp16\" needs a CUDA GPU; on the CPU use \"bf16\" (or \"fp32\")");
  if (precision == Precision::bf16 && !cpu_has_native_bf16())
    spdlog::warn("{}: bf16 on this CPU is emulated (CPUID shows neither AVX512-BF16 nor AMX-BF16), so it runs "
                 "slower than fp32", what);
}

AutocastGuard::AutocastGuard(Precision precision, const torch::Device& device) : device_type_(device.type()) {
  if (precision == Precision::fp32) return;
  active_ = true;
  previous_ = torch_compat::autocast_state(device_type_);
  torch_compat::set_autocast_state(device_type_, {true, precision == Precision::fp16 ? at::kHalf : at::kBFloat16});
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  torch_compat::set_autocast_state(device_type_, previous_);
}

void forget_autocast_weight_casts() { at::autocast::clear_cache(); }

AutocastSuspended::AutocastSuspended()
    : cpu_(torch_compat::autocast_state(c10::kCPU)), cuda_(torch_compat::autocast_state(c10::kCUDA)) {
  torch_compat::set_autocast_state(c10::kCPU, {false, cpu_.dtype});
  torch_compat::set_autocast_state(c10::kCUDA, {false, cuda_.dtype});
}

AutocastSuspended::~AutocastSuspended() {
  torch_compat::set_autocast_state(c10::kCPU, cpu_);
  torch_compat::set_autocast_state(c10::kCUDA, cuda_);
}

}  // namespace gencli
