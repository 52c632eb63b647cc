#include "models/diffusion/samplers.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"

namespace gencli::diffusion {

Sampler::Sampler(const NoiseSchedule& schedule, std::string prediction, std::optional<double> clip)
    : schedule_(schedule), prediction_(std::move(prediction)), clip_(clip) {
  set_timesteps(schedule.timesteps());
}

void Sampler::set_timesteps(int64_t n) {
  const int64_t T = schedule_.timesteps();
  if (n < 1 || n > T)
    throw UserError("--steps " + std::to_string(n) + ": must lie in 1.." + std::to_string(T) +
                    " (the model's model.timesteps)");
  timesteps_.clear();
  for (int64_t i = 0; i < n; ++i) {
    // Evenly spaced from T - 1 down to 0, both ends included.
    const double position = n == 1 ? T - 1 : (T - 1) * (1.0 - static_cast<double>(i) / (n - 1));
    timesteps_.push_back(static_cast<int64_t>(std::llround(position)));
  }
}

int64_t Sampler::next_timestep(int64_t t) const {
  auto it = std::find(timesteps_.begin(), timesteps_.end(), t);
  TORCH_CHECK(it != timesteps_.end(), "timestep ", t, " is not in the sampler's schedule");
  return it + 1 == timesteps_.end() ? -1 : *(it + 1);
}

SamplerStep Sampler::step(const torch::Tensor& output, int64_t t, const torch::Tensor& x_t,
                          const torch::Generator& noise) {
  NoiseSchedule::Prediction p = schedule_.interpret(output, x_t, t, prediction_);
  if (clip_) {
    p.x0 = p.x0.clamp(-*clip_, *clip_);
    // Keep epsilon consistent with the clipped x0 so the step stays on the same trajectory.
    const double a = schedule_.alpha_bar(t);
    p.epsilon = (x_t - std::sqrt(a) * p.x0) / std::sqrt(1 - a);
  }
  const int64_t next = next_timestep(t);
  torch::Tensor x_next = mean(p, t, next, x_t);
  const double std = noise_std(t);
  if (std > 0) x_next = x_next + std * torch::randn(x_t.sizes(), noise, torch::kFloat).to(x_t.options());
  return {x_next, p.x0};
}

double DdpmSampler::noise_std(int64_t t) const {
  const int64_t next = next_timestep(t);
  if (next < 0) return 0.0;  // the last step returns the posterior mean
  const double a_t = schedule_.alpha_bar(t), a_next = schedule_.alpha_bar(next);
  const double beta = 1 - a_t / a_next;
  return std::sqrt((1 - a_next) / (1 - a_t) * beta);  // beta~_t (Ho et al. eq. 7)
}

torch::Tensor DdpmSampler::mean(const NoiseSchedule::Prediction& p, int64_t t, int64_t next,
                                const torch::Tensor& x_t) const {
  const double a_t = schedule_.alpha_bar(t), a_next = schedule_.alpha_bar(next);
  const double beta = 1 - a_t / a_next;
  // mu~_t(x_t, x0) = sqrt(a_next) beta / (1 - a_t) x0 + sqrt(1 - beta) (1 - a_next) / (1 - a_t) x_t (eq. 7).
  return (std::sqrt(a_next) * beta / (1 - a_t)) * p.x0 + (std::sqrt(1 - beta) * (1 - a_next) / (1 - a_t)) * x_t;
}

double DdimSampler::noise_std(int64_t t) const {
  const int64_t next = next_timestep(t);
  if (next < 0) return 0.0;
  const double a_t = schedule_.alpha_bar(t), a_next = schedule_.alpha_bar(next);
  return eta_ * std::sqrt((1 - a_next) / (1 - a_t)) * std::sqrt(1 - a_t / a_next);
}

torch::Tensor DdimSampler::mean(const NoiseSchedule::Prediction& p, int64_t t, int64_t next,
                                const torch::Tensor& x_t) const {
  const double a_next = schedule_.alpha_bar(next);
  const double sigma = noise_std(t);
  return std::sqrt(a_next) * p.x0 + std::sqrt(std::max(0.0, 1 - a_next - sigma * sigma)) * p.epsilon;
}

std::unique_ptr<Sampler> make_sampler(const std::string& name, const NoiseSchedule& schedule,
                                      const std::string& prediction, std::optional<double> clip, double eta) {
  if (name == "ddpm") return std::make_unique<DdpmSampler>(schedule, prediction, clip);
  if (name == "ddim") return std::make_unique<DdimSampler>(schedule, prediction, clip, eta);
  throw UserError("--sampler " + name + ": unknown (known: ddpm, ddim)");
}

}  // namespace gencli::diffusion
