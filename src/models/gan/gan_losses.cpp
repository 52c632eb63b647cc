#include "models/gan/gan_losses.h"

namespace gencli::gan {

torch::Tensor discriminator_loss(const std::string& loss, const torch::Tensor& real_scores,
                                 const torch::Tensor& fake_scores) {
  if (loss == "bce")
    return torch::softplus(-real_scores).mean() + torch::softplus(fake_scores).mean();
  if (loss == "hinge")
    return torch::relu(1 - real_scores).mean() + torch::relu(1 + fake_scores).mean();
  return fake_scores.mean() - real_scores.mean();  // wasserstein, wgan-gp
}

torch::Tensor generator_loss(const std::string& loss, const torch::Tensor& fake_scores) {
  if (loss == "bce") return torch::softplus(-fake_scores).mean();
  return -fake_scores.mean();
}

torch::Tensor gradient_penalty(const std::function<torch::Tensor(const torch::Tensor&)>& critic,
                               const torch::Tensor& real, const torch::Tensor& fake, const ExampleRandom& random) {
  std::vector<int64_t> shape(real.dim(), 1);
  shape[0] = real.size(0);
  torch::Tensor alpha = random.uniform(shape, real.options());
  torch::Tensor mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(true);
  torch::Tensor scores = critic(mixed);
  torch::Tensor grad = torch::autograd::grad({scores.sum()}, {mixed}, /*grad_outputs=*/{},
                                             /*retain_graph=*/true, /*create_graph=*/true)[0];
  return (grad.flatten(1).norm(2, 1) - 1).pow(2).mean();
}

}  // namespace gencli::gan
