#include "models/diffusion/diffusion_model.h"

#include <spdlog/fmt/fmt.h>

#include <optional>

#include "core/errors.h"

namespace gencli::diffusion {

namespace {

NoiseSchedule make_schedule(const DiffusionConfig& c) {
  if (c.schedule == "cosine") return NoiseSchedule::cosine(c.timesteps);
  return NoiseSchedule::linear(c.timesteps, c.beta_start, c.beta_end);
}

Capabilities diffusion_capabilities(const DiffusionConfig& config, int64_t num_classes) {
  Capabilities c;
  c.classes = config.conditional ? num_classes : 0;
  c.reads.iterative_sampler = true;
  c.sampling_step = "denoising step";
  c.modes = {{"inpaint", "masked / completed / original rows for test images (--mask, --resample, --sampler, --steps)",
              true}};
  c.parallel_ops = config.arch == "unet";
  c.reads.prompts = config.text_conditional;
  return c;
}

// The denoiser's config: the config itself, or with the first stage's latent shape as its image.
DiffusionConfig denoiser_config(DiffusionConfig c, const autoencoder::AutoencoderModel* first_stage) {
  if (first_stage) {
    c.image_channels = first_stage->config().latent_channels;
    c.image_size = first_stage->config().latent_size();
  }
  return c;
}

// Each sample's mean squared error times its weight, averaged over the batch.
torch::Tensor min_snr_loss(const torch::Tensor& output, const torch::Tensor& target, const torch::Tensor& weights) {
  torch::Tensor per_sample = torch::mse_loss(output, target, at::Reduction::None).flatten(1).mean(1);
  return (per_sample * weights.to(per_sample.dtype())).mean();
}

}  // namespace

DiffusionModel::DiffusionModel(DiffusionConfig config, int64_t num_classes,
                               std::shared_ptr<autoencoder::AutoencoderModel> first_stage)
    : Model(diffusion_capabilities(config, num_classes)),
      config_(std::move(config)), num_classes_(num_classes), schedule_(make_schedule(config_)),
      first_stage_(std::move(first_stage)), tokenizer_(config_), clip_(config_.clip_denoised && !first_stage_) {
  denoiser = register_module("denoiser", Denoiser(denoiser_config(config_, first_stage_.get()), num_classes_));
  // Registered so that it moves with the model and its weights travel in every checkpoint;
  // never optimized (optimized_parts) and never in the EMA (ema_target).
  if (first_stage_) register_module("first_stage", first_stage_);
}

torch::Tensor DiffusionModel::to_diffusion_space(const torch::Tensor& images) {
  if (!first_stage_) return images;
  torch::NoGradGuard no_grad;
  return first_stage_->encode(images).mean * first_stage_->latent_scale();
}

torch::Tensor DiffusionModel::to_images(const torch::Tensor& x) {
  if (!first_stage_) return x;
  torch::NoGradGuard no_grad;
  return first_stage_->clamp_to_range(first_stage_->decode(x / first_stage_->latent_scale()));
}

std::vector<int64_t> DiffusionModel::diffusion_shape() const {
  const DiffusionConfig& c = denoiser->config;
  return {c.image_channels, c.image_size, c.image_size};
}

std::vector<OptimizedPart> DiffusionModel::optimized_parts() { return {{"denoiser", denoiser->parameters()}}; }

StepMetrics DiffusionModel::train_step(StepContext& ctx) {
  Batch batch = ctx.batches->next();
  check_image_shape(batch.images, config_.image_channels, config_.image_size);
  const torch::Tensor x0 = to_diffusion_space(batch.images);
  const int64_t b = x0.size(0);
  // Ho et al. 2020, algorithm 1: t uniform, eps ~ N(0, I), regress the network on eps (or v).
  torch::Tensor t = ctx.random.integers(config_.timesteps, {b}, torch::TensorOptions().dtype(torch::kLong).device(x0.device()));
  torch::Tensor noise = ctx.random.normal_like(x0);
  torch::Tensor x_t = schedule_.add_noise(x0, noise, t);
  torch::Tensor labels;
  PromptTokens prompt;
  if (config_.text_conditional) {
    // The same dropout for prompts: "" is the unconditional prompt guidance contrasts with.
    if (batch.captions.size() != static_cast<size_t>(b))
      throw UserError("model.text_conditional: the training batches carry no captions (use data.type canvas)");
    torch::Tensor drop = (ctx.random.uniform({b}, x0.options()) < config_.label_dropout).cpu();
    std::vector<std::string> captions = batch.captions;
    for (int64_t i = 0; i < b; ++i)
      if (drop[i].item<bool>()) captions[static_cast<size_t>(i)].clear();
    prompt = tokenize(captions, "caption").to(x0.device());
  }
  if (config_.conditional) {
    // Classifier-free guidance (Ho & Salimans 2022, algorithm 1): drop the label with
    // probability p so the same network also learns the unconditional prediction.
    torch::Tensor drop = ctx.random.uniform({b}, x0.options()) < config_.label_dropout;
    labels = torch::where(drop, torch::full_like(batch.labels, null_label()), batch.labels);
  }
  torch::Tensor target = config_.prediction == "v" ? schedule_.velocity(x0, noise, t) : noise;
  torch::Tensor output = denoiser->forward(x_t, t, labels, prompt.defined() ? &prompt : nullptr);
  torch::Tensor loss = config_.loss_weighting == "min_snr"
                           ? min_snr_loss(output, target, schedule_.min_snr_weights(t, config_.min_snr_gamma, config_.prediction))
                           : torch::mse_loss(output, target);
  ctx.optimizers->zero_grad("denoiser");
  ctx.optimizers->backward(loss);
  ctx.optimizers->update("denoiser");
  return {{"loss", loss.item<double>()}};
}

PromptTokens DiffusionModel::tokenize(const std::vector<std::string>& prompts, const std::string& what) const {
  return tokenizer_.tokenize(prompts, what);
}

PromptGuidance DiffusionModel::prompt_guidance(const std::vector<std::string>& prompts,
                                               const std::string& negative_prompt, int64_t num,
                                               const torch::Device& device) const {
  if (prompts.empty())
    throw UserError("this diffusion model is text-conditional: give --prompt TEXT or --prompts FILE");
  if (prompts.size() != 1 && static_cast<int64_t>(prompts.size()) != num)
    throw UserError(std::to_string(prompts.size()) + " prompts for " + std::to_string(num) +
                    " samples: give one prompt, or one per sample");
  std::vector<std::string> rows = prompts.size() == 1 ? std::vector<std::string>(num, prompts[0]) : prompts;
  PromptGuidance g;
  g.prompt = tokenize(rows, "--prompt").to(device);
  g.unconditional = tokenize(std::vector<std::string>(num, negative_prompt), "--negative-prompt").to(device);
  return g;
}

torch::Tensor DiffusionModel::guided_output(Denoiser& net, const torch::Tensor& x_t, int64_t t,
                                            const torch::Tensor& labels, double guidance, const PromptGuidance* text) {
  const int64_t b = x_t.size(0);
  torch::Tensor steps = torch::full({b}, t, torch::TensorOptions().dtype(torch::kLong).device(x_t.device()));
  if (text) {
    if (guidance == 1.0) return net->forward(x_t, steps, {}, &text->prompt);
    // Both predictions in one batch: the prompt first, then the empty (or negative) prompt.
    const PromptTokens both_prompts = concat(text->prompt, text->unconditional);
    torch::Tensor both = net->forward(torch::cat({x_t, x_t}), torch::cat({steps, steps}), {}, &both_prompts);
    torch::Tensor conditional = both.slice(0, 0, b), unconditional = both.slice(0, b);
    return unconditional + guidance * (conditional - unconditional);
  }
  if (!config_.conditional || guidance == 1.0) return net->forward(x_t, steps, labels);
  // Both predictions in one batch: conditional first, then with the "no label" label.
  torch::Tensor both = net->forward(torch::cat({x_t, x_t}), torch::cat({steps, steps}),
                                    torch::cat({labels, torch::full_like(labels, null_label())}));
  torch::Tensor conditional = both.slice(0, 0, b), unconditional = both.slice(0, b);
  return unconditional + guidance * (conditional - unconditional);
}

torch::Tensor DiffusionModel::run_sampler(Denoiser& net, Sampler& sampler, const torch::Tensor& x_T,
                                          const torch::Tensor& labels, double guidance,
                                          const torch::Generator& generator,
                                          const std::function<void(int64_t, int64_t)>& progress,
                                          const Completion* completion, const PromptGuidance* text) {
  torch::NoGradGuard no_grad;
  const bool was_training = net->is_training();
  net->eval();
  torch::Tensor x = x_T;
  const auto& steps = sampler.timesteps();
  const int64_t total = static_cast<int64_t>(steps.size());
  auto noise_like = [&](const torch::Tensor& like) {
    return torch::randn(like.sizes(), generator, torch::kFloat).to(like.options());
  };
  for (int64_t i = 0; i < total; ++i) {
    const int64_t t = steps[i], next = sampler.next_timestep(t);
    // The last step yields the clean sample; repeating it would only denoise a clean image again.
    const int64_t repeats = completion && next >= 0 ? completion->resample : 1;
    for (int64_t r = 0; r < repeats; ++r) {
      torch::Tensor x_next =
          sampler.step(guided_output(net, x, t, labels, guidance, text), t, x, generator).prev_sample;
      if (completion) {
        // Known pixels: the real image noised to the next step (exactly the image after the last).
        torch::Tensor known_next = next >= 0 ? schedule_.add_noise(completion->x0, noise_like(x),
                                                                   torch::full({x.size(0)}, next, torch::kLong))
                                             : completion->x0;
        x_next = completion->known * known_next + (1 - completion->known) * x_next;
        // RePaint's resampling: jump back to step t and denoise again, so the generated part
        // can adjust to the known part (not after the last repeat, nor from the clean image).
        if (r + 1 < repeats) {
          x = schedule_.renoise(x_next, next, t, noise_like(x));
          continue;
        }
      }
      x = x_next;
    }
    if (progress) progress(i + 1, total);
  }
  net->train(was_training);
  return clip_ ? x.clamp(-1, 1) : x;
}

std::unique_ptr<Sampler> DiffusionModel::make_request_sampler(const SampleRequest& request) const {
  std::string name = request.sampler == "default" ? config_.sampler : request.sampler;
  if (request.preview) name = "ddim";
  std::optional<double> clip;
  if (clip_) clip = 1.0;
  auto sampler = make_sampler(name, schedule_, config_.prediction, clip, request.eta);
  int64_t steps = request.steps > 0 ? request.steps : request.preview ? 0 : config_.sample_steps;
  if (steps == 0) steps = name == "ddim" ? std::min<int64_t>(50, config_.timesteps) : config_.timesteps;
  sampler->set_timesteps(steps);
  return sampler;
}

Denoiser DiffusionModel::sampling_network(bool use_ema) {
  if (use_ema && ema) return Denoiser(std::dynamic_pointer_cast<DenoiserImpl>(ema));
  return denoiser;
}

double DiffusionModel::guidance_for(const SampleRequest& request) const {
  const double guidance = request.guidance >= 0 ? request.guidance : config_.guidance;
  if (!config_.conditional && !config_.text_conditional && guidance != 1.0)
    throw UserError("--guidance " + fmt::format("{:g}", guidance) + ": this diffusion model is not conditional");
  if (!config_.text_conditional && (!request.prompts.empty() || !request.negative_prompt.empty()))
    throw UserError("--prompt/--negative-prompt: this diffusion model is not text-conditional");
  return guidance;
}

torch::Tensor DiffusionModel::sample(const SampleRequest& request) {
  if (config_.conditional && !request.labels.defined())
    throw UserError("this diffusion model is conditional: sampling needs class labels");
  Denoiser net = sampling_network(request.use_ema);
  const torch::Device device = net->parameters().front().device();
  auto sampler = make_request_sampler(request);
  std::vector<int64_t> shape = diffusion_shape();
  shape.insert(shape.begin(), request.num);
  torch::Tensor x_T = torch::randn(shape, request.generator).to(device);
  torch::Tensor labels = request.labels.defined() ? request.labels.to(device) : torch::Tensor();
  const double guidance = guidance_for(request);
  std::optional<PromptGuidance> text;
  if (config_.text_conditional) text = prompt_guidance(request.prompts, request.negative_prompt, request.num, device);
  return to_images(run_sampler(net, *sampler, x_T, labels, guidance, request.generator, request.progress, nullptr,
                               text ? &*text : nullptr));
}

}  // namespace gencli::diffusion
