#include "models/channels_last.h"

namespace gencli {

bool prefers_channels_last(const torch::Tensor& x) { return x.device().is_cpu() && x.dim() == 4; }

torch::Tensor to_channels_last(const torch::Tensor& x) {
  if (x.suggest_memory_format() == at::MemoryFormat::ChannelsLast && is_channels_last_map(x)) return x;
  return torch::empty(x.sizes(), x.options().memory_format(at::MemoryFormat::ChannelsLast)).copy_(x);
}

bool is_channels_last_map(const torch::Tensor& x) {
  return x.dim() == 4 && x.is_contiguous(at::MemoryFormat::ChannelsLast);
}

}  // namespace gencli
