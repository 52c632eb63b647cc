#include "models/vae/vae_model.h"

#include <cmath>

#include "core/errors.h"
#include "models/sampling.h"
#include "models/vae/vae_math.h"

namespace gencli::vae {

namespace {

Capabilities vae_capabilities(const VaeConfig& config, int64_t num_classes) {
  Capabilities c;
  c.reads.latents = true;
  c.classes = config.conditional ? num_classes : 0;
  c.modes = {{"reconstruct", "test images (odd rows) above their reconstructions (even rows)", true},
             {"interpolate", "rows walking the latent space between two test images (--pairs, --steps)", true},
             {"restore", "corrupted / restored / original rows, with PSNR (--corrupt)", true},
             {"manifold", "decoded grid over the latent plane of a 2-D latent (--steps per axis)", false}};
  // LibTorch's pool keeps one thread: the convolutional VAE's layers are small enough that
  // its fully connected products (in BLAS's pool) and oneDNN's convolutions run best without a
  // second pool's workers beside them: conv_vae_mnist 22.1 against 17.8 steps/s with the pool
  // at 2 threads (2-core Xeon, gencli bench train). With LibTorch 1.13's im2col transposed
  // convolutions, before transposed_conv.h, 2 threads had been faster (12.3 against 9.8).
  return c;
}

}  // namespace

VaeModel::VaeModel(VaeConfig config, int64_t num_classes)
    : Model(vae_capabilities(config, num_classes)), config_(std::move(config)), num_classes_(num_classes) {
  encoder = register_module("encoder", Encoder(config_, num_classes_));
  decoder = register_module("decoder", Decoder(config_, num_classes_));
  // Registered even when unused so every VAE checkpoint has the same layout.
  log_sigma = register_parameter("log_sigma", torch::full({1}, std::log(config_.sigma)),
                                 config_.likelihood == "gaussian" && config_.variance == "learned");
}

std::vector<OptimizedPart> VaeModel::optimized_parts() {
  std::vector<torch::Tensor> trainable;
  for (auto& p : parameters())
    if (p.requires_grad()) trainable.push_back(p);
  return {{"vae", trainable}};
}

torch::Tensor VaeModel::one_hot(const torch::Tensor& labels) const {
  if (!config_.conditional) return {};
  TORCH_CHECK(labels.defined(), "a conditional VAE needs labels");
  return torch::one_hot(labels, num_classes_).to(torch::kFloat);
}

Posterior VaeModel::encode(const torch::Tensor& x, const torch::Tensor& labels) {
  auto [mu, logvar] = encoder->forward(x, one_hot(labels));
  return {mu, logvar};
}

torch::Tensor VaeModel::decode(const torch::Tensor& z, const torch::Tensor& labels) {
  return decoder->forward(z, one_hot(labels));
}

torch::Tensor VaeModel::decode_one_hot(const torch::Tensor& z, const torch::Tensor& one_hot) {
  return decoder->forward(z, one_hot);
}

torch::Tensor VaeModel::mean_image(const torch::Tensor& decoded) const { return torch::sigmoid(decoded); }

torch::Tensor VaeModel::log_likelihood(const torch::Tensor& x, const torch::Tensor& decoded) const {
  if (config_.likelihood == "bernoulli") return bernoulli_log_likelihood(x, decoded);
  return gaussian_log_likelihood(x, mean_image(decoded), log_sigma);
}

torch::Tensor VaeModel::likelihood_targets(const torch::Tensor& x, const torch::Generator& generator) const {
  if (config_.likelihood == "gaussian") return dequantize(x, generator);
  if (config_.binarize == "dynamic") return binarize(x, generator);
  return x;
}

double VaeModel::beta_at(int64_t step) const {
  if (config_.kl_warmup_steps == 0) return config_.beta;
  return config_.beta * std::min(1.0, static_cast<double>(step + 1) / config_.kl_warmup_steps);
}

StepMetrics VaeModel::train_step(StepContext& ctx) {
  Batch batch = ctx.batches->next();
  check_image_shape(batch.images, config_.image_channels, config_.image_size);
  torch::Tensor labels = config_.conditional ? batch.labels : torch::Tensor();
  torch::Tensor x = likelihood_targets(batch.images);
  Posterior q = encode(x, labels);
  // Reparameterisation: z = mu + sigma * eps keeps the sample differentiable in mu and sigma.
  torch::Tensor z = q.mu + (0.5 * q.logvar).exp() * ctx.random.normal_like(q.mu);
  torch::Tensor recon = -log_likelihood(x, decode(z, labels));  // (B) nats
  torch::Tensor kl_per_dim = gaussian_kl(q.mu, q.logvar);        // (B, L)
  torch::Tensor kl = kl_per_dim.sum(1);
  // Free bits (Kingma et al. 2016): each dimension's batch-mean KL below the floor costs nothing,
  // so the encoder is not pushed to switch latent units off early in training.
  torch::Tensor kl_penalty =
      config_.free_bits > 0 ? kl_per_dim.mean(0).clamp_min(config_.free_bits).sum() : kl.mean();
  const double beta = beta_at(ctx.step);
  torch::Tensor loss = recon.mean() + beta * kl_penalty;
  ctx.optimizers->zero_grad("vae");
  ctx.optimizers->backward(loss);
  ctx.optimizers->update("vae");
  StepMetrics m = {{"loss", loss.item<double>()},
                   {"neg_elbo", (recon + kl).mean().item<double>()},
                   {"recon", recon.mean().item<double>()},
                   {"kl", kl.mean().item<double>()},
                   {"beta", beta}};
  if (config_.likelihood == "gaussian") m.emplace_back("sigma", log_sigma.exp().item<double>());
  return m;
}

torch::Tensor VaeModel::sample(const SampleRequest& request) {
  torch::NoGradGuard no_grad;
  if (config_.conditional && !request.labels.defined())
    throw UserError("this VAE is conditional: sampling needs class labels");
  const torch::Device device = log_sigma.device();
  // Latents from a CPU generator so a seed draws the same images on any device. The grid shows
  // the decoder's mean E[x | z], the usual way to display VAE samples.
  torch::Tensor z = latent_vectors(request, config_.latent_dim).to(device);
  torch::Tensor labels = request.labels.defined() ? request.labels.to(device) : torch::Tensor();
  return mean_image(decode(z, labels));
}

std::pair<torch::Tensor, torch::Tensor> VaeModel::log_weights(const torch::Tensor& x, const torch::Tensor& labels,
                                                              const Posterior& q, int64_t k,
                                                              const torch::Generator& generator) {
  const int64_t b = x.size(0);
  // Decode in chunks of about 4096 images so conv decoders stay within memory.
  const int64_t chunk = std::max<int64_t>(1, 4096 / b);
  std::vector<torch::Tensor> weights, likelihoods;
  for (int64_t done = 0; done < k; done += chunk) {
    const int64_t c = std::min(chunk, k - done);
    torch::Tensor eps = torch::randn({c, b, config_.latent_dim}, generator).to(x.device());
    torch::Tensor z = q.mu.unsqueeze(0) + (0.5 * q.logvar).exp().unsqueeze(0) * eps;  // (c, B, L)
    torch::Tensor flat_z = z.reshape({c * b, config_.latent_dim});
    torch::Tensor rep_x = x.unsqueeze(0).expand({c, -1, -1, -1, -1}).reshape({c * b, x.size(1), x.size(2), x.size(3)});
    torch::Tensor rep_labels = labels.defined() ? labels.repeat({c}) : torch::Tensor();
    torch::Tensor ll = log_likelihood(rep_x, decode(flat_z, rep_labels)).view({c, b});
    torch::Tensor lw = ll + log_standard_normal(z) - log_normal(z, q.mu.unsqueeze(0), q.logvar.unsqueeze(0));
    weights.push_back(lw);
    likelihoods.push_back(ll);
  }
  return {torch::cat(weights), torch::cat(likelihoods)};
}

}  // namespace gencli::vae
