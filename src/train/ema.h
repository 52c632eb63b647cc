#pragma once
// Exponential moving average of a network's weights (sampling uses the average):
// ema <- decay * ema + (1 - decay) * weights after every step; buffers are copied.
#include "core/torch_api.h"

#include <memory>

namespace gencli {

std::shared_ptr<torch::nn::Module> make_ema_copy(const torch::nn::Module& target);
void ema_update(torch::nn::Module& ema, const torch::nn::Module& target, double decay);

}  // namespace gencli
