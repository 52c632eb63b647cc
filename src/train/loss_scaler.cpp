#include "train/loss_scaler.h"

namespace gencli {

LossScaler::LossScaler(bool enabled, Options options)
    : enabled_(enabled), options_(options), scale_(options.initial_scale) {}

torch::Tensor LossScaler::scaled(const torch::Tensor& loss) const {
  if (!enabled_) return loss;
  // In float32: a float16 loss times 65536 would overflow by itself.
  return loss.to(torch::kFloat) * scale_;
}

bool LossScaler::unscale(const std::vector<torch::Tensor>& parameters) {
  if (!enabled_) return true;
  const double inverse = 1.0 / scale_;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> finite;
  for (const auto& p : parameters) {
    torch::Tensor g = p.grad();
    if (!g.defined()) continue;
    g.mul_(inverse);
    finite.push_back(torch::isfinite(g).all());
  }
  // One device-to-host read for all of them.
  const bool ok = finite.empty() || torch::stack(finite).all().item<bool>();
  if (!ok) overflowed_ = true;
  return ok;
}

void LossScaler::end_step() {
  if (!enabled_) return;
  if (overflowed_) {
    scale_ *= options_.backoff_factor;
    good_steps_ = 0;
    ++skipped_steps_;
  } else if (++good_steps_ >= options_.growth_interval) {
    scale_ *= options_.growth_factor;
    good_steps_ = 0;
  }
  overflowed_ = false;
}

void LossScaler::save(torch::serialize::OutputArchive& archive) const {
  archive.write("scale", torch::tensor(scale_, torch::kDouble));
  archive.write("good_steps", c10::IValue(good_steps_));
  archive.write("skipped_steps", c10::IValue(skipped_steps_));
}

void LossScaler::load(torch::serialize::InputArchive& archive) {
  torch::Tensor scale;
  archive.read("scale", scale);
  c10::IValue good, skipped;
  archive.read("good_steps", good);
  archive.read("skipped_steps", skipped);
  TORCH_CHECK(good.isInt() && skipped.isInt(), "loss scaler counters are not integers");
  scale_ = scale.item<double>();
  good_steps_ = good.toInt();
  skipped_steps_ = skipped.toInt();
  overflowed_ = false;
}

}  // namespace gencli
