#include "train/part_optimizers.h"

#include "core/precision.h"
#include "train/collectives.h"
#include "train/optimizers.h"

namespace gencli {

PartOptimizers::PartOptimizers(Model& model, const OptimConfig& config, bool scale_losses)
    : config_(config), scaler_(scale_losses) {
  for (auto& part : model.optimized_parts()) {
    OptimConfig part_config = config;
    if (!part.weight_decay) part_config.weight_decay = 0;
    parts_[part.name] = {part.parameters, make_optimizer(part_config, part.parameters)};
    names_.push_back(part.name);
  }
}

void PartOptimizers::zero_grad(const std::string& part) { drop_gradients(*get(part).optimizer); }

void PartOptimizers::backward(const torch::Tensor& loss) {
  AutocastSuspended outside_autocast;
  scaler_.scaled(loss).backward();
}

void PartOptimizers::update(const std::string& part) {
  auto& p = get(part);
  if (collectives_) {
    std::vector<torch::Tensor> grads;
    for (const auto& parameter : p.parameters) grads.push_back(parameter.grad());
    collectives_->average(grads, "averaging the gradients of " + part);
  }
  if (!scaler_.unscale(p.parameters)) return;  // inf or NaN: this step is skipped
  if (config_.grad_clip > 0) torch::nn::utils::clip_grad_norm_(p.parameters, config_.grad_clip);
  p.optimizer->step();
  forget_autocast_weight_casts();
}

void PartOptimizers::set_lr(double lr) {
  for (auto& [name, p] : parts_) set_learning_rate(*p.optimizer, lr);
}

PartOptimizers::Part& PartOptimizers::get(const std::string& name) {
  auto it = parts_.find(name);
  TORCH_CHECK(it != parts_.end(), "no optimizer for part ", name);
  return it->second;
}

}  // namespace gencli
