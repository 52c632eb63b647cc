#pragma once
// Dynamic loss scaling for float16 training (train.precision: fp16), which LibTorch's C++ API
// lacks. Small gradients underflow in float16, so the loss is multiplied by a large scale
// before backward and the gradients divided by it before the step. A step whose gradients
// hold inf or NaN (the scale was too large) is skipped and the scale halved; after
// `growth_interval` good steps in a row it doubles. The state is saved in checkpoints, so a
// resumed run scales exactly as an uninterrupted one.
#include "core/torch_api.h"

#include <vector>

namespace gencli {

class LossScaler {
 public:
  struct Options {
    double initial_scale = 65536.0;  // 2^16, as PyTorch's GradScaler
    double growth_factor = 2.0;
    double backoff_factor = 0.5;
    int64_t growth_interval = 2000;  // good steps in a row before the scale grows
  };

  explicit LossScaler(bool enabled, Options options);
  explicit LossScaler(bool enabled) : LossScaler(enabled, Options{}) {}

  bool enabled() const { return enabled_; }
  double scale() const { return scale_; }
  int64_t good_steps() const { return good_steps_; }
  int64_t skipped_steps() const { return skipped_steps_; }

  // The loss to call backward() on: `loss` times the scale (the loss itself when disabled).
  torch::Tensor scaled(const torch::Tensor& loss) const;
  // Divides the gradients of `parameters` by the scale and returns whether they are all finite
  // (true when disabled). A false answer marks this step as overflowed.
  bool unscale(const std::vector<torch::Tensor>& parameters);
  // Ends a training step: halves the scale if any unscale() of the step overflowed, else counts a
  // good step and grows the scale after growth_interval of them.
  void end_step();

  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  bool enabled_;
  Options options_;
  double scale_;
  int64_t good_steps_ = 0;
  int64_t skipped_steps_ = 0;  // over the whole run
  bool overflowed_ = false;    // in the step being taken
};

}  // namespace gencli
