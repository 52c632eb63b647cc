// `gencli eval` for diffusion: the denoising loss on the test split per timestep bucket (on
// latents in latent diffusion), and sampling speed for DDPM (all steps) and DDIM (50 steps).
#include <chrono>

#include "core/errors.h"
#include "models/diffusion/diffusion_model.h"

namespace gencli::diffusion {

namespace {

constexpr int64_t kBuckets = 10;
constexpr int64_t kEvalBatch = 250;
constexpr int64_t kSpeedImages = 16;

}  // namespace

nlohmann::json DiffusionModel::evaluate(EvalContext& ctx) {
  torch::NoGradGuard no_grad;
  const Batch& test = ctx.test_split;
  if (!test.images.defined() || test.images.size(0) == 0)
    throw UserError("diffusion eval needs the test split (data.root)");
  check_image_shape(test.images, config_.image_channels, config_.image_size);
  if (config_.text_conditional && test.captions.size() != static_cast<size_t>(test.images.size(0)))
    throw UserError("diffusion eval: this model is text-conditional and the test split has no captions");
  Denoiser net = sampling_network(true);
  net->eval();
  const torch::Device device = net->parameters().front().device();
  torch::Generator generator = at::detail::createCPUGenerator(static_cast<uint64_t>(ctx.seed));
  const int64_t n = test.images.size(0), T = config_.timesteps;

  // Every test image is scored once in every bucket of T / 10 timesteps, at a random t inside it.
  const int64_t bucket_count = std::min(kBuckets, T);
  nlohmann::json buckets = nlohmann::json::array();
  double total = 0;
  for (int64_t k = 0; k < bucket_count; ++k) {
    const int64_t lo = k * T / bucket_count, hi = (k + 1) * T / bucket_count;
    double sum = 0;
    for (int64_t start = 0; start < n; start += kEvalBatch) {
      const int64_t end = std::min(n, start + kEvalBatch), b = end - start;
      torch::Tensor x0 = to_diffusion_space(test.images.slice(0, start, end).to(device));
      torch::Tensor t = torch::randint(lo, hi, {b}, generator, torch::kLong).to(device);
      torch::Tensor noise = torch::randn(x0.sizes(), generator, torch::kFloat).to(device);
      torch::Tensor labels = config_.conditional ? test.labels.slice(0, start, end).to(device) : torch::Tensor();
      torch::Tensor target = config_.prediction == "v" ? schedule_.velocity(x0, noise, t) : noise;
      PromptTokens prompt;
      if (config_.text_conditional)
        prompt = tokenize({test.captions.begin() + start, test.captions.begin() + end}, "caption").to(device);
      torch::Tensor output = net->forward(schedule_.add_noise(x0, noise, t), t, labels,
                                          prompt.defined() ? &prompt : nullptr);
      sum += (output - target).square().flatten(1).mean(1).sum().item<double>();
    }
    buckets.push_back({{"t_from", lo}, {"t_to", hi - 1}, {"loss", sum / n}});
    total += sum / n;
  }

  // Sampling speed on a small batch, after the loss pass has warmed the network up.
  auto images_per_second = [&](const std::string& sampler_name, int64_t steps) {
    SampleRequest request;
    request.num = std::min(kSpeedImages, ctx.num_samples);
    request.sampler = sampler_name;
    request.steps = steps;
    request.generator = generator;
    if (config_.conditional) request.labels = torch::arange(request.num, torch::kLong).remainder(num_classes_);
    if (config_.text_conditional) request.prompts.assign(test.captions.begin(), test.captions.begin() + request.num);
    const auto start = std::chrono::steady_clock::now();
    sample(request);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return request.num / seconds;
  };
  const int64_t ddim_steps = std::min<int64_t>(50, T);
  nlohmann::json j;
  j["test_images"] = n;
  j["test_loss"] = total / bucket_count;
  j["weights"] = ema ? "EMA" : "raw (no EMA in the checkpoint)";
  j["test_loss_by_timestep"] = buckets;
  j["target"] = config_.prediction;
  j["ddpm_steps"] = T;
  j["ddpm_images_per_s"] = images_per_second("ddpm", T);
  j["ddim_steps"] = ddim_steps;
  j["ddim_images_per_s"] = images_per_second("ddim", ddim_steps);
  j["speed_batch"] = std::min(kSpeedImages, ctx.num_samples);
  j["space"] = latent() ? "latent" : "pixel";
  j["diffusion_shape"] = diffusion_shape();
  return j;
}

}  // namespace gencli::diffusion
