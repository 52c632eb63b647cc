#include "models/gan/gan_model.h"

#include "core/errors.h"
#include "models/sampling.h"
#include "models/gan/gan_losses.h"

namespace gencli::gan {

namespace {

void set_requires_grad(torch::nn::Module& module, bool on) {
  for (auto& p : module.parameters()) p.requires_grad_(on);
}

double mean_of(const torch::Tensor& t) { return t.mean().item<double>(); }

}  // namespace

namespace {

Capabilities gan_capabilities(const GanConfig& config, int64_t num_classes) {
  Capabilities c;
  c.reads.latents = true;
  c.classes = config.conditional ? num_classes : 0;
  return c;
}

}  // namespace

GanModel::GanModel(GanConfig config, int64_t num_classes)
    : Model(gan_capabilities(config, num_classes)), config_(std::move(config)), num_classes_(num_classes) {
  NetworkOptions options{config_, num_classes};
  generator = register_module("generator", Generator(options));
  discriminator = register_module("discriminator", Discriminator(options));
}

std::vector<OptimizedPart> GanModel::optimized_parts() {
  return {{"generator", generator->parameters()}, {"discriminator", discriminator->parameters()}};
}

torch::Tensor GanModel::random_labels(const ExampleRandom& random, int64_t n, const torch::Device& device) const {
  if (!config_.conditional) return {};
  return random.integers(num_classes_, {n}, torch::TensorOptions().dtype(torch::kLong).device(device));
}

void GanModel::update_discriminator(StepContext& ctx, const Batch& real, const torch::Tensor& fake,
                                    const torch::Tensor& fake_labels, StepMetrics& metrics) {
  const int64_t b = real.images.size(0);
  // Real and fake go through the critic in one pass: it has no BatchNorm, so this equals
  // two passes and uses one larger matrix product instead of two small ones.
  torch::Tensor labels = config_.conditional ? torch::cat({real.labels, fake_labels}) : torch::Tensor();
  torch::Tensor scores = discriminator->forward(torch::cat({real.images, fake.detach()}), labels);
  torch::Tensor real_scores = scores.slice(0, 0, b), fake_scores = scores.slice(0, b);
  torch::Tensor loss = discriminator_loss(config_.loss, real_scores, fake_scores);
  double penalty = 0;
  if (config_.loss == "wgan-gp") {
    auto critic = [&](const torch::Tensor& x) { return discriminator->forward(x, real.labels); };
    torch::Tensor gp = gradient_penalty(critic, real.images, fake.detach(), ctx.random);
    penalty = gp.item<double>();
    loss = loss + config_.gp_weight * gp;
  }
  ctx.optimizers->zero_grad("discriminator");
  ctx.optimizers->backward(loss);
  ctx.optimizers->update("discriminator");
  if (config_.weight_clip > 0) {
    torch::NoGradGuard no_grad;
    for (auto& p : discriminator->parameters()) p.clamp_(-config_.weight_clip, config_.weight_clip);
  }
  metrics = {{"loss_d", loss.item<double>()},
             {"d_real", mean_of(config_.loss == "bce" ? torch::sigmoid(real_scores) : real_scores)},
             {"d_fake", mean_of(config_.loss == "bce" ? torch::sigmoid(fake_scores) : fake_scores)}};
  if (config_.loss == "wgan-gp") metrics.emplace_back("gp", penalty);
}

StepMetrics GanModel::train_step(StepContext& ctx) {
  StepMetrics metrics;
  torch::Tensor fake, fake_labels;
  for (int64_t k = 0; k < config_.critic_steps; ++k) {
    Batch real = ctx.batches->next();
    check_image_shape(real.images, config_.image_channels, config_.image_size);
    const int64_t b = real.images.size(0);
    const bool last = k + 1 == config_.critic_steps;
    fake_labels = random_labels(ctx.random, b, real.images.device());
    torch::Tensor z = ctx.random.normal({b, config_.latent_dim}, real.images.options());
    {
      // Only the last fake batch is reused by the generator step, so only it keeps a graph.
      torch::AutoGradMode grad_mode(last);
      fake = generator->forward(z, fake_labels);
    }
    update_discriminator(ctx, real, fake, fake_labels, metrics);
  }
  // Generator step on the last fake batch. The critic's weights are frozen meanwhile so
  // backward skips their gradients; it still differentiates through the critic.
  set_requires_grad(*discriminator, false);
  torch::Tensor loss_g = generator_loss(config_.loss, discriminator->forward(fake, fake_labels));
  ctx.optimizers->zero_grad("generator");
  ctx.optimizers->backward(loss_g);
  ctx.optimizers->update("generator");
  set_requires_grad(*discriminator, true);
  metrics.insert(metrics.begin() + 1, {"loss_g", loss_g.item<double>()});
  return metrics;
}

torch::Tensor GanModel::sample(const SampleRequest& request) {
  torch::NoGradGuard no_grad;
  Generator net = generator;
  if (request.use_ema && ema) net = Generator(std::dynamic_pointer_cast<GeneratorImpl>(ema));
  const torch::Device device = net->parameters().front().device();
  if (config_.conditional && !request.labels.defined())
    throw UserError("this GAN is conditional: sampling needs class labels");
  // Noise comes from a CPU generator so a seed draws the same images on any device.
  torch::Tensor z = latent_vectors(request, config_.latent_dim).to(device);
  torch::Tensor labels = request.labels.defined() ? request.labels.to(device) : torch::Tensor();
  const bool was_training = net->is_training();
  net->eval();
  torch::Tensor images = net->forward(z, labels);
  net->train(was_training);
  return images;
}

nlohmann::json GanModel::evaluate(EvalContext& ctx) {
  torch::NoGradGuard no_grad;
  if (!ctx.test_batches) throw UserError("gan eval needs the test split (data.root)");
  std::vector<torch::Tensor> real_scores, fake_scores, real_images, fake_images;
  int64_t seen = 0;
  torch::Generator cpu_gen = at::detail::createCPUGenerator(ctx.seed);
  while (seen < ctx.num_samples) {
    Batch real = ctx.test_batches->next();
    const int64_t b = std::min<int64_t>(real.images.size(0), ctx.num_samples - seen);
    real.images = real.images.slice(0, 0, b);
    torch::Tensor labels = config_.conditional ? real.labels.slice(0, 0, b) : torch::Tensor();
    SampleRequest request;
    request.num = b;
    request.labels = labels;
    request.generator = cpu_gen;
    request.use_ema = true;
    torch::Tensor fake = sample(request);
    real_scores.push_back(discriminator->forward(real.images, labels));
    fake_scores.push_back(discriminator->forward(fake, labels));
    real_images.push_back(real.images.flatten(1));
    fake_images.push_back(fake.flatten(1));
    seen += b;
  }
  torch::Tensor rs = torch::cat(real_scores), fs = torch::cat(fake_scores);
  torch::Tensor ri = torch::cat(real_images), fi = torch::cat(fake_images);
  // Mean pairwise L2 distance within each set: a collapsed generator scores far below the data.
  auto diversity = [](const torch::Tensor& x) {
    const int64_t n = std::min<int64_t>(x.size(0), 1000);
    torch::Tensor d = torch::cdist(x.slice(0, 0, n), x.slice(0, 0, n));
    return (d.sum() / (n * (n - 1))).item<double>();
  };
  const bool logits = config_.loss == "bce";
  nlohmann::json j;
  j["samples"] = seen;
  j["loss_d_test"] = discriminator_loss(config_.loss, rs, fs).item<double>();
  j["loss_g_test"] = generator_loss(config_.loss, fs).item<double>();
  j["d_real_test"] = mean_of(logits ? torch::sigmoid(rs) : rs);
  j["d_fake"] = mean_of(logits ? torch::sigmoid(fs) : fs);
  j["d_accuracy"] = ((rs > 0).sum() + (fs <= 0).sum()).item<double>() / (2.0 * seen);
  j["pixel_mean_real"] = mean_of(ri);
  j["pixel_mean_fake"] = mean_of(fi);
  j["diversity_real"] = diversity(ri);
  j["diversity_fake"] = diversity(fi);
  return j;
}

}  // namespace gencli::gan
