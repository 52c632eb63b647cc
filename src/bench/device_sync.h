#pragma once
// A GPU runs its kernels asynchronously: a timer must wait for them to finish.
#include "core/torch_api.h"

namespace gencli::bench {

inline void wait_for(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

}  // namespace gencli::bench
