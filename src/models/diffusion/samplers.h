#pragma once
// Reverse-process samplers, free of any network (in the manner of diffusers' schedulers):
// set_timesteps(n) picks the steps, then the sampling loop alternates "predict with the
// network" and step(output, t, x_t) -> x at the next (earlier) timestep.
#include "core/torch_api.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/diffusion/noise_schedule.h"

namespace gencli::diffusion {

struct SamplerStep {
  torch::Tensor prev_sample;  // x at the next timestep of the schedule (the clean sample after the last)
  torch::Tensor pred_x0;      // the clean sample the network's output implies
};

class Sampler {
 public:
  // prediction: "epsilon" or "v"; clip: clamp predicted x0 to [-clip, clip] (none when unset).
  Sampler(const NoiseSchedule& schedule, std::string prediction, std::optional<double> clip);
  virtual ~Sampler() = default;

  // n timesteps evenly spaced from T - 1 down to 0 (n = T: every step).
  void set_timesteps(int64_t n);
  const std::vector<int64_t>& timesteps() const { return timesteps_; }
  // The timestep that follows t in this schedule; -1 after the last (x is then clean).
  int64_t next_timestep(int64_t t) const;

  // One reverse step from x_t. `noise` draws the fresh Gaussian noise (a CPU generator).
  SamplerStep step(const torch::Tensor& output, int64_t t, const torch::Tensor& x_t, const torch::Generator& noise);
  // Standard deviation of the fresh noise added by the step from t.
  virtual double noise_std(int64_t t) const = 0;

 protected:
  // The mean of x at the next timestep, given x_t and the (clipped) prediction.
  virtual torch::Tensor mean(const NoiseSchedule::Prediction& p, int64_t t, int64_t next,
                             const torch::Tensor& x_t) const = 0;

  const NoiseSchedule& schedule_;
  std::string prediction_;
  std::optional<double> clip_;
  std::vector<int64_t> timesteps_;
};

// Ancestral sampling from the posterior q(x_{t-1} | x_t, x0) (Ho et al. 2020, eqs. 6-7 and
// algorithm 2), with variance beta~_t. With fewer than T steps the betas are respaced over the
// chosen timesteps: beta'_t = 1 - alpha_bar_t / alpha_bar_next (Nichol & Dhariwal 2021, section 4).
class DdpmSampler : public Sampler {
 public:
  using Sampler::Sampler;
  double noise_std(int64_t t) const override;

 protected:
  torch::Tensor mean(const NoiseSchedule::Prediction& p, int64_t t, int64_t next, const torch::Tensor& x_t) const override;
};

// DDIM (Song et al. 2021, eq. 12): x_next = sqrt(a_next) x0 + sqrt(1 - a_next - sigma^2) eps + sigma z,
// sigma = eta sqrt((1 - a_next) / (1 - a_t)) sqrt(1 - a_t / a_next) (eq. 16). eta = 0 is
// deterministic; eta = 1 has DDPM's variance.
class DdimSampler : public Sampler {
 public:
  DdimSampler(const NoiseSchedule& schedule, std::string prediction, std::optional<double> clip, double eta)
      : Sampler(schedule, std::move(prediction), clip), eta_(eta) {}
  double noise_std(int64_t t) const override;

 protected:
  torch::Tensor mean(const NoiseSchedule::Prediction& p, int64_t t, int64_t next, const torch::Tensor& x_t) const override;

 private:
  double eta_;
};

// "ddpm" or "ddim" (eta used by ddim only); throws UserError naming --sampler otherwise.
std::unique_ptr<Sampler> make_sampler(const std::string& name, const NoiseSchedule& schedule,
                                      const std::string& prediction, std::optional<double> clip, double eta);

}  // namespace gencli::diffusion
