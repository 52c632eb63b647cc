#pragma once
// The VAE's probability formulas as plain tensor functions, so they can be tested alone.
// Shapes: x (B, C, H, W); mu, logvar, z (..., L); results are per image (summed over pixels
// or latent dimensions) unless noted.
#include "core/torch_api.h"
#include "models/discrete_pixels.h"  // binarize

namespace gencli::vae {

// KL(N(mu, exp(logvar)) || N(0, I)) per latent dimension, (B, L):
// 0.5 (mu^2 + sigma^2 - 1 - log sigma^2)  (Kingma & Welling 2014, appendix B).
torch::Tensor gaussian_kl(const torch::Tensor& mu, const torch::Tensor& logvar);

// log N(z; mu, exp(logvar)) summed over the last dimension.
torch::Tensor log_normal(const torch::Tensor& z, const torch::Tensor& mu, const torch::Tensor& logvar);
// log N(z; 0, I) summed over the last dimension.
torch::Tensor log_standard_normal(const torch::Tensor& z);

// log p(x | z) for a Bernoulli decoder given its logits, summed over pixels: -BCE.
torch::Tensor bernoulli_log_likelihood(const torch::Tensor& x, const torch::Tensor& logits);
// log p(x | z) for a Gaussian decoder with mean `mean` and one shared log sigma.
torch::Tensor gaussian_log_likelihood(const torch::Tensor& x, const torch::Tensor& mean,
                                      const torch::Tensor& log_sigma);

// The importance-weighted bound from log weights log p(x, z_i) - log q(z_i | x) of shape (k, B):
// log (1/k) sum_i w_i  (Burda et al. 2016, eq. 8). With k = 1 it is the one-sample ELBO estimate.
torch::Tensor iwae_bound(const torch::Tensor& log_weights);

// Latent dimensions whose posterior mean varies across the data (Burda et al. 2016, section 5.2):
// Var_x(E_q[z_u]) > threshold. mu_all: (N, L) posterior means of a data set.
int64_t count_active_units(const torch::Tensor& mu_all, double threshold = 0.01);

// Uniform dequantization of 8-bit pixels in [0, 1]: (255 x + u) / 256, u ~ U[0, 1). A continuous
// density on these values bounds the discrete likelihood: -log P(x) <= -log p(x_deq) + D log 256.
torch::Tensor dequantize(const torch::Tensor& x, const torch::Generator& generator = {});

}  // namespace gencli::vae
