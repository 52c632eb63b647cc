#pragma once
// The forward (noising) process of a diffusion model, free of any network: the betas, the
// cumulative products alpha_bar, q(x_t | x_0), and the conversions between what a network
// predicts (epsilon or v) and the clean image. Timesteps t are 0-based: t = 0 is the first
// noising step, t = T - 1 the last (Ho et al. 2020 count from 1).
#include "core/torch_api.h"

#include <string>
#include <vector>

namespace gencli::diffusion {

class NoiseSchedule {
 public:
  // beta_t evenly spaced from beta_start to beta_end (Ho et al. 2020, section 4).
  static NoiseSchedule linear(int64_t timesteps, double beta_start, double beta_end);
  // alpha_bar_t = f(t) / f(0), f(t) = cos^2(((t/T + s) / (1 + s)) pi/2), betas clipped at 0.999
  // (Nichol & Dhariwal 2021, eq. 17).
  static NoiseSchedule cosine(int64_t timesteps, double s = 0.008);

  int64_t timesteps() const { return static_cast<int64_t>(betas_.size()); }
  double beta(int64_t t) const { return betas_.at(t); }
  // alpha_bar_t = prod_{s <= t} (1 - beta_s); alpha_bar(-1) = 1 (no noise).
  double alpha_bar(int64_t t) const { return t < 0 ? 1.0 : alpha_bars_.at(t); }

  // q(x_t | x_0): sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) noise, t: (B) int64 (Ho et al. eq. 4).
  torch::Tensor add_noise(const torch::Tensor& x0, const torch::Tensor& noise, const torch::Tensor& t) const;
  // The v target: sqrt(alpha_bar_t) noise - sqrt(1 - alpha_bar_t) x0 (Salimans & Ho 2022, section 4).
  torch::Tensor velocity(const torch::Tensor& x0, const torch::Tensor& noise, const torch::Tensor& t) const;
  // From x_t at step t to x_s at an earlier step s < t (s = -1: clean) and back: x_t given x_s is
  // sqrt(a_t / a_s) x_s + sqrt(1 - a_t / a_s) noise with a = alpha_bar (RePaint's jump back).
  torch::Tensor renoise(const torch::Tensor& x_s, int64_t s, int64_t t, const torch::Tensor& noise) const;

  // What the network's output means: the predicted clean image x0 and noise epsilon, for x_t at step t.
  // epsilon: x0 = (x_t - sqrt(1 - a) eps) / sqrt(a) (Ho et al. eq. 15 rearranged);
  // v: x0 = sqrt(a) x_t - sqrt(1 - a) v, eps = sqrt(1 - a) x_t + sqrt(a) v.
  struct Prediction {
    torch::Tensor x0, epsilon;
  };
  Prediction interpret(const torch::Tensor& output, const torch::Tensor& x_t, int64_t t,
                       const std::string& prediction) const;

  // Min-SNR-gamma loss weights (Hang et al. 2023, eq. 7): per sample, min(SNR_t, gamma) over what
  // the squared error of the prediction is measured in (SNR_t for epsilon, SNR_t + 1 for v), so
  // that each timestep's loss weighs as an x0 error capped at gamma. t: (B) int64; returns (B) float.
  torch::Tensor min_snr_weights(const torch::Tensor& t, double gamma, const std::string& prediction) const;

  // alpha_bar for a batch of timesteps, shaped to broadcast over x: (B, 1, 1, ...).
  torch::Tensor alpha_bar_like(const torch::Tensor& t, const torch::Tensor& x) const;

 private:
  explicit NoiseSchedule(std::vector<double> betas);

  std::vector<double> betas_, alpha_bars_;
  torch::Tensor alpha_bars_tensor_;  // float64 on CPU, gathered by add_noise
};

}  // namespace gencli::diffusion
