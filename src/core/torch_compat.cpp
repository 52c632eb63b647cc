#include "core/torch_compat.h"

#include <ATen/autocast_mode.h>

namespace gencli::torch_compat {

#if TORCH_VERSION_MAJOR >= 2

bool optimizer_state_keys_readable(torch::serialize::InputArchive& section) {
  torch::serialize::InputArchive state;
  if (!section.try_read("state", state)) return true;  // no per-parameter state yet
  for (const std::string& key : state.keys())
    if (key.rfind("0x", 0) == 0) return false;
  return true;
}

bool has_fused_attention() { return true; }

bool has_onednn_transposed_convolution() { return true; }

std::optional<std::vector<int64_t>> explicit_padding(const torch::nn::detail::ConvNdOptions<2>& options) {
  if (const auto* numbers = std::get_if<torch::ExpandingArray<2>>(&options.padding()))
    return std::vector<int64_t>((*numbers)->begin(), (*numbers)->end());
  return std::nullopt;
}

AutocastState autocast_state(c10::DeviceType device_type) {
  return {at::autocast::is_autocast_enabled(device_type), at::autocast::get_autocast_dtype(device_type)};
}

void set_autocast_state(c10::DeviceType device_type, AutocastState state) {
  at::autocast::set_autocast_enabled(device_type, state.enabled);
  at::autocast::set_autocast_dtype(device_type, state.dtype);
}

std::optional<torch::Tensor> fused_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                             const torch::Tensor& allowed, bool is_causal) {
  std::optional<torch::Tensor> mask;
  if (allowed.defined()) mask = allowed;
  return at::scaled_dot_product_attention(q, k, v, mask, 0.0, is_causal);
}

std::string fused_attention_backend(const torch::Device& device) {
  const auto dtype = device.is_cuda() ? torch::kBFloat16 : torch::kFloat;
  torch::Tensor q = torch::zeros({1, 2, 64, 32}, torch::TensorOptions().dtype(dtype).device(device));
  // The numbering of at::SDPBackend (ATen/SDPBackend.h).
  switch (at::_fused_sdp_choice(q, q, q, {}, 0.0, /*is_causal=*/true)) {
    case 0: return "math";
    case 1: return "flash";
    case 2: return "memory-efficient";
    case 3: return "cudnn";
    case 4: return "overrideable";
    default: return "none usable";
  }
}

#else

bool optimizer_state_keys_readable(torch::serialize::InputArchive&) { return true; }

AutocastState autocast_state(c10::DeviceType device_type) {
  if (device_type == c10::kCUDA) return {at::autocast::is_enabled(), at::autocast::get_autocast_gpu_dtype()};
  return {at::autocast::is_cpu_enabled(), at::autocast::get_autocast_cpu_dtype()};
}

void set_autocast_state(c10::DeviceType device_type, AutocastState state) {
  if (device_type == c10::kCUDA) {
    at::autocast::set_enabled(state.enabled);
    at::autocast::set_autocast_gpu_dtype(state.dtype);
  } else {
    at::autocast::set_cpu_enabled(state.enabled);
    at::autocast::set_autocast_cpu_dtype(state.dtype);
  }
}

bool has_fused_attention() { return false; }

bool has_onednn_transposed_convolution() { return false; }

std::optional<std::vector<int64_t>> explicit_padding(const torch::nn::detail::ConvNdOptions<2>& options) {
  if (const auto* numbers = c10::get_if<torch::ExpandingArray<2>>(&options.padding()))
    return std::vector<int64_t>((*numbers)->begin(), (*numbers)->end());
  return std::nullopt;
}

std::optional<torch::Tensor> fused_attention(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&,
                                             const torch::Tensor&, bool) {
  return std::nullopt;
}

std::string fused_attention_backend(const torch::Device&) { return "none"; }

#endif

}  // namespace gencli::torch_compat
