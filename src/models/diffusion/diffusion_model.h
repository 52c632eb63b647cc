#pragma once
// The diffusion family (DDPM, Ho et al. 2020): training teaches the denoiser to predict the
// noise (or v) in x_t = sqrt(a_t) x0 + sqrt(1 - a_t) eps at a random step t; sampling starts
// from pure noise and alternates "predict" and "sampler step" (models/diffusion/samplers.h).
// With a first stage (model.latent_autoencoder) all of it happens on the autoencoder's scaled
// latents: images are encoded before training and completion, samples decoded at the end.
#include <memory>

#include "models/autoencoder/autoencoder_model.h"
#include "models/diffusion/denoiser.h"
#include "models/diffusion/noise_schedule.h"
#include "models/diffusion/samplers.h"
#include "models/model.h"

namespace gencli::diffusion {

// Known pixels for completion: the reverse process keeps them from `x0` (noised to the current
// step) and only generates the rest (RePaint, Lugmayr et al. 2022, algorithm 1).
struct Completion {
  torch::Tensor x0;     // (B, C, H, W) the real images
  torch::Tensor known;  // (1, 1, H, W) or (B, C, H, W): 1 where a pixel is kept
  int64_t resample = 1; // RePaint's resampling: each step is repeated this often, jumping back in between
};

// The prompts of a text-conditional draw, one row per sample: what to draw, and what the
// unconditional half of guidance uses instead (the empty prompt, or a negative prompt).
struct PromptGuidance {
  PromptTokens prompt, unconditional;
};

class DiffusionModel : public Model {
 public:
  // first_stage: the frozen autoencoder of latent diffusion, or null for pixel space.
  DiffusionModel(DiffusionConfig config, int64_t num_classes,
                 std::shared_ptr<autoencoder::AutoencoderModel> first_stage = nullptr);

  std::vector<OptimizedPart> optimized_parts() override;
  StepMetrics train_step(StepContext& ctx) override;
  torch::nn::Module* ema_target() override { return denoiser.ptr().get(); }
  torch::Tensor sample(const SampleRequest& request) override;
  ModeResult sample_mode(const ModeRequest& request) override;
  nlohmann::json evaluate(EvalContext& ctx) override;

  // The guided network output for x_t at step t: with scale W, u + W (c - u) from the unconditional
  // (u) and conditional (c) predictions. Ho & Salimans 2022, eq. 6 write (1 + w) c - w u, so W = 1 + w;
  // W = 1 is plain conditional sampling, W = 0 unconditional.
  // For text-conditional models `text` holds the prompts in place of labels.
  torch::Tensor guided_output(Denoiser& net, const torch::Tensor& x_t, int64_t t, const torch::Tensor& labels,
                              double guidance, const PromptGuidance* text = nullptr);
  // The reverse process from x_T = noise through the sampler's timesteps; `completion` (optional)
  // holds known pixels fixed.
  torch::Tensor run_sampler(Denoiser& net, Sampler& sampler, const torch::Tensor& x_T, const torch::Tensor& labels,
                            double guidance, const torch::Generator& generator,
                            const std::function<void(int64_t, int64_t)>& progress, const Completion* completion,
                            const PromptGuidance* text = nullptr);
  // The request's prompts for `num` samples (one given: repeated), tokenized, on `device`.
  // UserError when a text-conditional model gets none, or a count that is neither 1 nor num.
  PromptGuidance prompt_guidance(const std::vector<std::string>& prompts, const std::string& negative_prompt,
                                 int64_t num, const torch::Device& device) const;
  PromptTokens tokenize(const std::vector<std::string>& prompts, const std::string& what) const;
  // A sampler built from the request (or the config's defaults), its timesteps set.
  std::unique_ptr<Sampler> make_request_sampler(const SampleRequest& request) const;
  // The network sampling uses: the EMA copy when there is one and it is wanted.
  Denoiser sampling_network(bool use_ema);

  // Images (B, C, H, W) in the data range -> what the denoiser works on: the images themselves,
  // or the first stage's posterior means times its latent scale.
  torch::Tensor to_diffusion_space(const torch::Tensor& images);
  // The inverse for samples: decoded (and clamped to the data range) in latent diffusion.
  torch::Tensor to_images(const torch::Tensor& x);
  bool latent() const { return first_stage_ != nullptr; }
  // The shape of one sample as the denoiser sees it: (C, H, W) of the images or of the latents.
  std::vector<int64_t> diffusion_shape() const;

  const NoiseSchedule& schedule() const { return schedule_; }
  const DiffusionConfig& config() const { return config_; }
  // The label meaning "no label" (the last embedding row).
  int64_t null_label() const { return num_classes_; }

  Denoiser denoiser{nullptr};

 private:
  double guidance_for(const SampleRequest& request) const;

  DiffusionConfig config_;
  int64_t num_classes_;
  NoiseSchedule schedule_;
  std::shared_ptr<autoencoder::AutoencoderModel> first_stage_;
  PromptTokenizer tokenizer_;
  // Predicted x0 is clamped to [-1, 1] in pixel space only: scaled latents are not bounded.
  bool clip_ = true;
};

}  // namespace gencli::diffusion
