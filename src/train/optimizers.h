#pragma once
// Builds optimizers from the `optim` section and applies the learning-rate schedule.
#include "core/torch_api.h"

#include <memory>

#include "core/config.h"

namespace gencli {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const OptimConfig& config,
                                                        std::vector<torch::Tensor> parameters);

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

// Clears gradients by dropping them (cheaper than zeroing, same for the next backward).
void drop_gradients(torch::optim::Optimizer& optimizer);

// The learning rate at a 0-based step: constant, or linear warm-up then cosine decay
// to lr * min_lr_ratio at optim.decay_steps, or total_steps when that is 0
// (Loshchilov & Hutter 2017, without restarts).
double learning_rate_at(const OptimConfig& config, int64_t step, int64_t total_steps);

}  // namespace gencli
