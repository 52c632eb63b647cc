#include "train/optimizers.h"

#include <cmath>

#include "train/fused_adam.h"
#include "train/lamb.h"

namespace gencli {

namespace optim = torch::optim;

std::unique_ptr<optim::Optimizer> make_optimizer(const OptimConfig& c, std::vector<torch::Tensor> params) {
  const auto betas = std::make_tuple(c.betas[0], c.betas[1]);
  if (c.name == "adam")
    return std::make_unique<FusedAdam>(
        params, optim::AdamOptions(c.lr).betas(betas).eps(c.eps).weight_decay(c.weight_decay));
  if (c.name == "adamw")
    return std::make_unique<FusedAdamW>(
        params, optim::AdamWOptions(c.lr).betas(betas).eps(c.eps).weight_decay(c.weight_decay));
  if (c.name == "rmsprop")
    return std::make_unique<optim::RMSprop>(params, optim::RMSpropOptions(c.lr)
                                                        .alpha(c.alpha)
                                                        .eps(c.eps)
                                                        .weight_decay(c.weight_decay)
                                                        .momentum(c.momentum));
  if (c.name == "sgd")
    return std::make_unique<optim::SGD>(
        params, optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay));
  return std::make_unique<Lamb>(
      params, LambOptions(c.lr).beta1(c.betas[0]).beta2(c.betas[1]).eps(c.eps).weight_decay(c.weight_decay));
}

void set_learning_rate(optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

void drop_gradients(optim::Optimizer& optimizer) {
  for (auto& group : optimizer.param_groups())
    for (auto& p : group.params()) p.mutable_grad() = torch::Tensor();
}

double learning_rate_at(const OptimConfig& c, int64_t step, int64_t total_steps) {
  if (c.schedule == "constant") return c.lr;
  if (c.decay_steps > 0) total_steps = c.decay_steps;
  if (step < c.warmup_steps) return c.lr * static_cast<double>(step + 1) / static_cast<double>(c.warmup_steps);
  const double span = std::max<int64_t>(1, total_steps - c.warmup_steps);
  const double progress = std::min(1.0, static_cast<double>(step - c.warmup_steps) / span);
  const double floor = c.lr * c.min_lr_ratio;
  return floor + (c.lr - floor) * 0.5 * (1 + std::cos(M_PI * progress));
}

}  // namespace gencli
