#include "train/ema.h"

namespace gencli {

std::shared_ptr<torch::nn::Module> make_ema_copy(const torch::nn::Module& target) {
  auto copy = target.clone();  // the network must be a torch::nn::Cloneable
  // Cloneable::clone copies the weights of the children that are Cloneable themselves and
  // leaves plain-Module children (the U-Net's blocks) freshly initialised; copy every
  // parameter and buffer by name so the average starts from the network itself.
  torch::NoGradGuard no_grad;
  auto copy_all = [](auto from, auto to) {
    for (const auto& item : from) to[item.key()].copy_(item.value());
  };
  copy_all(target.named_parameters(), copy->named_parameters());
  copy_all(target.named_buffers(), copy->named_buffers());
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
