#include "core/device.h"

#include "core/config_fields.h"
#include "core/errors.h"

namespace gencli {

torch::Device resolve_device(const std::string& spec, const std::string& what) {
  const std::string shown = "\"" + config::echo_text(spec) + "\"";
  if (spec == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  if (spec == "cpu") return torch::kCPU;
  if (spec == "cuda" || spec.rfind("cuda:", 0) == 0) {
    if (!torch::cuda::is_available())
      throw UserError(what + ": " + shown +
                      " asked for, but this LibTorch build sees no CUDA GPU (use \"auto\" or \"cpu\")");
    int64_t index = 0;
    if (spec.size() > 5) {
      size_t used = 0;
      try {
        index = std::stoll(spec.substr(5), &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != spec.size() - 5) throw UserError(what + ": " + shown + " is not cuda:N with N a number");
    }
    const int64_t count = static_cast<int64_t>(torch::cuda::device_count());
    if (index < 0 || index >= count)
      throw UserError(what + ": " + shown + " but only " + std::to_string(count) + " CUDA device(s) exist");
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw UserError(what + ": expected \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", got " + shown);
}

}  // namespace gencli
