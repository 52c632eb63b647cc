#include "models/diffusion/noise_schedule.h"

#include <cmath>

namespace gencli::diffusion {

NoiseSchedule::NoiseSchedule(std::vector<double> betas) : betas_(std::move(betas)) {
  double product = 1.0;
  for (double b : betas_) {
    product *= 1.0 - b;
    alpha_bars_.push_back(product);
  }
  alpha_bars_tensor_ = torch::tensor(alpha_bars_, torch::kDouble);
}

NoiseSchedule NoiseSchedule::linear(int64_t timesteps, double beta_start, double beta_end) {
  std::vector<double> betas(timesteps);
  for (int64_t t = 0; t < timesteps; ++t)
    betas[t] = beta_start + (beta_end - beta_start) * static_cast<double>(t) / static_cast<double>(timesteps - 1);
  return NoiseSchedule(std::move(betas));
}

NoiseSchedule NoiseSchedule::cosine(int64_t timesteps, double s) {
  auto f = [&](double t) {
    const double c = std::cos((t / timesteps + s) / (1 + s) * M_PI / 2);
    return c * c;
  };
  std::vector<double> betas(timesteps);
  // beta_t = 1 - alpha_bar_t / alpha_bar_{t-1}, with alpha_bar_t = f(t + 1) / f(0) for 0-based t.
  for (int64_t t = 0; t < timesteps; ++t) betas[t] = std::min(1.0 - f(t + 1) / f(t), 0.999);
  return NoiseSchedule(std::move(betas));
}

torch::Tensor NoiseSchedule::alpha_bar_like(const torch::Tensor& t, const torch::Tensor& x) const {
  // Gathered on t's device: moving t to the CPU instead would make every CUDA step wait.
  torch::Tensor a = alpha_bars_tensor_.to(x.options()).index_select(0, t);
  std::vector<int64_t> shape(x.dim(), 1);
  shape[0] = t.size(0);
  return a.view(shape);
}

torch::Tensor NoiseSchedule::add_noise(const torch::Tensor& x0, const torch::Tensor& noise, const torch::Tensor& t) const {
  torch::Tensor a = alpha_bar_like(t, x0);
  return a.sqrt() * x0 + (1 - a).sqrt() * noise;
}

torch::Tensor NoiseSchedule::velocity(const torch::Tensor& x0, const torch::Tensor& noise, const torch::Tensor& t) const {
  torch::Tensor a = alpha_bar_like(t, x0);
  return a.sqrt() * noise - (1 - a).sqrt() * x0;
}

torch::Tensor NoiseSchedule::min_snr_weights(const torch::Tensor& t, double gamma, const std::string& prediction) const {
  torch::Tensor a = alpha_bars_tensor_.to(t.device()).index_select(0, t);
  torch::Tensor snr = a / (1 - a);
  torch::Tensor denominator = prediction == "v" ? snr + 1 : snr;
  return (snr.clamp_max(gamma) / denominator).to(torch::kFloat);
}

torch::Tensor NoiseSchedule::renoise(const torch::Tensor& x_s, int64_t s, int64_t t, const torch::Tensor& noise) const {
  const double ratio = alpha_bar(t) / alpha_bar(s);
  return std::sqrt(ratio) * x_s + std::sqrt(1 - ratio) * noise;
}

NoiseSchedule::Prediction NoiseSchedule::interpret(const torch::Tensor& output, const torch::Tensor& x_t, int64_t t,
                                                   const std::string& prediction) const {
  const double a = alpha_bar(t);
  if (prediction == "v")
    return {std::sqrt(a) * x_t - std::sqrt(1 - a) * output, std::sqrt(1 - a) * x_t + std::sqrt(a) * output};
  return {(x_t - std::sqrt(1 - a) * output) / std::sqrt(a), output};
}

}  // namespace gencli::diffusion
