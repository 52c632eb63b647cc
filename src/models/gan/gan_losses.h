#pragma once
// GAN objectives. Scores are logits for "bce", raw critic values otherwise.
#include "core/torch_api.h"
#include "models/example_random.h"

#include <string>

namespace gencli::gan {

// The discriminator (critic) loss for one batch of real and one of fake scores.
//   bce:         softplus(-D(x)) + softplus(D(G(z)))           (Goodfellow et al. 2014)
//   hinge:       relu(1 - D(x)) + relu(1 + D(G(z)))             (Lim & Ye 2017)
//   wasserstein: -(E[D(x)] - E[D(G(z))])                         (Arjovsky et al. 2017)
torch::Tensor discriminator_loss(const std::string& loss, const torch::Tensor& real_scores,
                                 const torch::Tensor& fake_scores);

// The generator loss on the scores of its samples.
//   bce: non-saturating softplus(-D(G(z))); hinge and Wasserstein: -E[D(G(z))]
torch::Tensor generator_loss(const std::string& loss, const torch::Tensor& fake_scores);

// WGAN-GP penalty E[(||grad_x D(x_hat)||_2 - 1)^2] at random interpolates x_hat
// between real and fake images (Gulrajani et al. 2017, eq. 3), each at its own uniform position.
torch::Tensor gradient_penalty(const std::function<torch::Tensor(const torch::Tensor&)>& critic,
                               const torch::Tensor& real, const torch::Tensor& fake, const ExampleRandom& random);

}  // namespace gencli::gan
