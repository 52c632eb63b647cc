#pragma once
// The VAE family: an encoder q(z | x) = N(mu, diag sigma^2), the reparameterisation
// z = mu + sigma * eps, and a decoder p(x | z), trained on the negative ELBO
// E_q[-log p(x | z)] + beta * KL(q(z | x) || N(0, I))  (Kingma & Welling 2014).
#include "models/model.h"
#include "models/vae/vae_config.h"
#include "models/vae/vae_networks.h"

namespace gencli::vae {

struct Posterior {
  torch::Tensor mu, logvar;  // (B, latent_dim)
};

class VaeModel : public Model {
 public:
  VaeModel(VaeConfig config, int64_t num_classes);

  std::vector<OptimizedPart> optimized_parts() override;
  StepMetrics train_step(StepContext& ctx) override;
  torch::Tensor sample(const SampleRequest& request) override;
  ModeResult sample_mode(const ModeRequest& request) override;
  nlohmann::json evaluate(EvalContext& ctx) override;

  // The pieces, public for the tests and the sample modes.
  Posterior encode(const torch::Tensor& x, const torch::Tensor& labels);
  torch::Tensor decode(const torch::Tensor& z, const torch::Tensor& labels);  // raw decoder output
  torch::Tensor mean_image(const torch::Tensor& decoded) const;  // E[x | z] in [0, 1]
  torch::Tensor log_likelihood(const torch::Tensor& x, const torch::Tensor& decoded) const;  // (B)
  // What the likelihood is computed on: binarized or dequantized pixels, or x itself.
  torch::Tensor likelihood_targets(const torch::Tensor& x, const torch::Generator& generator = {}) const;
  // log p(x, z_i) - log q(z_i | x) for k samples z_i ~ q = encode(x): (k, B), plus log p(x | z_i) (k, B).
  std::pair<torch::Tensor, torch::Tensor> log_weights(const torch::Tensor& x, const torch::Tensor& labels,
                                                      const Posterior& q, int64_t k, const torch::Generator& generator);
  // Decoded means of the posterior means: the reconstruction of x.
  torch::Tensor reconstruct(const torch::Tensor& x, const torch::Tensor& labels);
  // For each pair (a_i, b_i): `steps` decoded means along the straight line from mu(a_i) to mu(b_i),
  // (pairs * steps, C, H, W) row by row. A conditional model's label moves from a's to b's alike.
  torch::Tensor interpolate(const Batch& a, const Batch& b, int64_t steps);
  // Repairs corrupted images: noise is encoded and decoded once; for a mask the hidden pixels
  // are imputed by repeated encode/decode with the known pixels held fixed.
  torch::Tensor restore(const torch::Tensor& corrupted, const torch::Tensor& known, const torch::Tensor& labels);

  double beta_at(int64_t step) const;
  const VaeConfig& config() const { return config_; }

  Encoder encoder{nullptr};
  Decoder decoder{nullptr};
  torch::Tensor log_sigma;  // Gaussian decoder's shared log standard deviation

 private:
  torch::Tensor one_hot(const torch::Tensor& labels) const;
  torch::Tensor decode_one_hot(const torch::Tensor& z, const torch::Tensor& one_hot);

  VaeConfig config_;
  int64_t num_classes_;
};

}  // namespace gencli::vae
