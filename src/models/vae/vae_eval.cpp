// `gencli eval` for the VAE: negative ELBO and its parts, the importance-weighted bound and
// active units on the test split, in nats per image and bits per dimension.
#include <cmath>

#include "core/errors.h"
#include "models/vae/vae_math.h"
#include "models/likelihood_summary.h"
#include "models/vae/vae_model.h"

namespace gencli::vae {

namespace {

constexpr int64_t kEvalBatch = 100;

}  // namespace

nlohmann::json VaeModel::evaluate(EvalContext& ctx) {
  torch::NoGradGuard no_grad;
  const Batch& test = ctx.test_split;
  if (!test.images.defined() || test.images.size(0) == 0) throw UserError("vae eval needs the test split (data.root)");
  check_image_shape(test.images, config_.image_channels, config_.image_size);
  const int64_t n = test.images.size(0), k = ctx.iw_samples;
  torch::Generator generator = at::detail::createCPUGenerator(static_cast<uint64_t>(ctx.seed));
  // One fixed binarization (or dequantization) of the test set, drawn from the seed.
  torch::Tensor targets = likelihood_targets(test.images, generator);

  double sum_recon = 0, sum_kl = 0, sum_iwae = 0;
  std::vector<torch::Tensor> means;
  for (int64_t start = 0; start < n; start += kEvalBatch) {
    const int64_t end = std::min(n, start + kEvalBatch);
    torch::Tensor x = targets.slice(0, start, end);
    torch::Tensor labels = config_.conditional ? test.labels.slice(0, start, end) : torch::Tensor();
    Posterior q = encode(x, labels);
    auto [lw, ll] = log_weights(x, labels, q, k, generator);
    sum_recon += (-ll.mean(0)).sum().item<double>();  // E_q[-log p(x|z)] estimated with the k samples
    sum_kl += gaussian_kl(q.mu, q.logvar).sum().item<double>();
    sum_iwae += (-iwae_bound(lw)).sum().item<double>();
    means.push_back(q.mu);
  }
  const int64_t dims = test.images[0].numel();
  // A Gaussian density on dequantized pixels bounds the 8-bit data's probability after adding
  // D log 256 (the bin width 1/256 per pixel); Bernoulli models are already discrete.
  const bool gaussian = config_.likelihood == "gaussian";
  const double offset = gaussian ? dims * std::log(256.0) : 0.0;
  const double recon = sum_recon / n + offset, kl = sum_kl / n, iwae = sum_iwae / n + offset;

  nlohmann::json j;
  j["test_images"] = n;
  if (gaussian)
    j["data"] = "8-bit pixels, uniformly dequantized (seed " + std::to_string(ctx.seed) + "); Gaussian sigma " +
                std::to_string(log_sigma.exp().item<double>());
  else if (config_.binarize == "dynamic")
    j["data"] = "stochastically binarized once (seed " + std::to_string(ctx.seed) + ")";
  else
    j["data"] = "grey pixels under a Bernoulli likelihood: not a normalised likelihood of the data; "
                "compare only with models evaluated the same way";
  j["neg_elbo_nats"] = recon + kl;
  j["recon_nats"] = recon;
  j["kl_nats"] = kl;
  j["neg_elbo_bits_per_dim"] = bits_per_dim(recon + kl, dims);
  j["iw_samples"] = k;
  j["iwae_nll_nats"] = iwae;
  j["iwae_bits_per_dim"] = bits_per_dim(iwae, dims);
  // A conditional VAE models p(x | y): its bounds are on -log p(x | y).
  const std::string given = config_.conditional ? " (x | label)" : "";
  add_likelihood_row(j, likelihood_row("ELBO" + given, false, recon + kl, "image", dims, j["data"]));
  add_likelihood_row(j, likelihood_row("IWAE k=" + std::to_string(k) + given, false, iwae, "image", dims, j["data"]));
  j["active_units"] = count_active_units(torch::cat(means));
  j["latent_dim"] = config_.latent_dim;
  return j;
}

}  // namespace gencli::vae
