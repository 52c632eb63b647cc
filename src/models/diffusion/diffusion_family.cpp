#include "models/diffusion/diffusion_family.h"

#include <spdlog/spdlog.h>

#include "models/diffusion/diffusion_model.h"
#include "models/diffusion/noise_schedule.h"
#include "models/family_definition.h"

namespace gencli::models {

namespace {

using diffusion::DiffusionConfig;

void check(const DiffusionConfig& c) {
  if (c.arch == "unet") {
    const int64_t factor = int64_t{1} << (c.channel_mult.size() - 1);
    if (c.image_size % factor != 0)
      throw ConfigError("model.image_size: " + std::to_string(c.channel_mult.size()) +
                        " U-Net levels halve the image " + std::to_string(c.channel_mult.size() - 1) +
                        " times, so it must be a multiple of " + std::to_string(factor) + ", got " +
                        std::to_string(c.image_size));
    for (int64_t m : c.channel_mult)
      if ((c.base_channels * m) % c.groups != 0)
        throw ConfigError("model.groups: " + std::to_string(c.groups) + " does not divide the U-Net width " +
                          std::to_string(c.base_channels * m) + " (base_channels x channel_mult)");
    if (c.base_channels % c.groups != 0)
      throw ConfigError("model.groups: " + std::to_string(c.groups) + " does not divide model.base_channels " +
                        std::to_string(c.base_channels));
  }
  if (!c.conditional && c.guidance != 1.0)
    throw ConfigError("model.guidance: " + std::to_string(c.guidance) +
                      " needs model.conditional true (guidance mixes conditional and unconditional predictions)");
  if (c.beta_end <= c.beta_start)
    throw ConfigError("model.beta_end: must exceed model.beta_start (" + std::to_string(c.beta_start) + ")");
}

void advise(const DiffusionConfig& c, const Config& config) {
  // Sampling starts from N(0, I), so the last step must leave almost no signal (Ho et al. 2020,
  // section 4: L_T ~ 0). With fewer steps the betas must grow, e.g. by 1000 / T.
  const diffusion::NoiseSchedule schedule = c.schedule == "cosine"
                                                ? diffusion::NoiseSchedule::cosine(c.timesteps)
                                                : diffusion::NoiseSchedule::linear(c.timesteps, c.beta_start, c.beta_end);
  const double last = schedule.alpha_bar(c.timesteps - 1);
  if (last > 0.01)
    spdlog::warn("model.timesteps {} with betas {:g}..{:g} leaves alpha_bar_T = {:.3f}: x_T still holds the image, "
                 "yet sampling starts from pure noise; raise model.beta_end (e.g. scale both betas by 1000 / T)",
                 c.timesteps, c.beta_start, c.beta_end, last);
  if (config.train.ema_decay == 0)
    spdlog::warn("train.ema_decay is 0: diffusion samples are usually much better from an EMA of the weights "
                 "(e.g. 0.999)");
}

}  // namespace

Family diffusion_family() {
  FamilyDefinition<DiffusionConfig> d;
  d.type = "diffusion";
  d.description = "denoising diffusion: U-Net or MLP, linear/cosine schedule, epsilon/v, DDPM/DDIM, guidance, inpainting";
  d.data.range = "tanh";
  d.data.range_why = "diffusion models data in [-1, 1]";
  d.check = check;
  d.build = [](const DiffusionConfig& c, const Config& config) {
    return std::make_shared<diffusion::DiffusionModel>(c, config.data.num_classes);
  };
  d.advise = advise;
  return define_family(d);
}

}  // namespace gencli::models
