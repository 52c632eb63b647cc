#include "train/ema.h"

namespace gencli {

std::shared_ptr<torch::nn::Module> make_ema_copy(const torch::nn::Module& target) {
  auto copy = target.clone();  // a deep copy; the network must be a torch::nn::Cloneable
  for (auto& p : copy->parameters()) p.requires_grad_(false);
  return copy;
}

void ema_update(torch::nn::Module& ema, const torch::nn::Module& target, double decay) {
  torch::NoGradGuard no_grad;
  auto averaged = ema.parameters();
  auto current = target.parameters();
  for (size_t i = 0; i < averaged.size(); ++i) averaged[i].lerp_(current[i], 1.0 - decay);
  auto ema_buffers = ema.buffers();
  auto buffers = target.buffers();
  for (size_t i = 0; i < ema_buffers.size(); ++i) ema_buffers[i].copy_(buffers[i]);
}

}  // namespace gencli
