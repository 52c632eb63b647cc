#include "train/fused_adam.h"

#include <cmath>

#include "core/torch_compat.h"
#include "train/adam_kernel.h"
#include "train/loss_closure.h"

namespace gencli {

namespace optim = torch::optim;

namespace {

bool dense_cpu_float(const torch::Tensor& t) {
  return t.device().is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous() && !t.is_sparse();
}

}  // namespace

bool FusedAdam::fusable() const {
  for (const auto& group : param_groups()) {
    if (static_cast<const optim::AdamOptions&>(group.options()).amsgrad()) return false;
    for (const auto& p : group.params())
      if (p.grad().defined() && !(dense_cpu_float(p) && dense_cpu_float(p.grad()))) return false;
  }
  return true;
}

torch::Tensor FusedAdam::step(LossClosure closure) {
  if (!fusable()) return optim::Adam::step(closure);
  torch::Tensor loss = evaluate_closure(closure);
  torch::NoGradGuard no_grad;
  for (auto& group : param_groups()) {
    const auto& o = static_cast<const optim::AdamOptions&>(group.options());
    const double b1 = std::get<0>(o.betas()), b2 = std::get<1>(o.betas());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto key = torch_compat::optimizer_state_key(p);
      if (state_.find(key) == state_.end()) {
        auto s = std::make_unique<optim::AdamParamState>();
        s->step(0);
        s->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        s->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        state_[key] = std::move(s);
      }
      auto& s = static_cast<optim::AdamParamState&>(*state_[key]);
      // The raw kernel below trusts the sizes; a loaded state of another shape must not reach it.
      TORCH_CHECK(s.exp_avg().numel() == p.numel() && s.exp_avg_sq().numel() == p.numel(),
                  "Adam state of ", s.exp_avg().numel(), " values for a parameter of ", p.numel());
      s.step(s.step() + 1);
      const double bc1 = 1 - std::pow(b1, static_cast<double>(s.step()));
      const double bc2 = 1 - std::pow(b2, static_cast<double>(s.step()));
      adam_update_float(p.data_ptr<float>(), p.grad().data_ptr<float>(), s.exp_avg().data_ptr<float>(),
                  s.exp_avg_sq().data_ptr<float>(), p.numel(), static_cast<float>(b1), static_cast<float>(b2),
                  static_cast<float>(o.eps()), static_cast<float>(o.weight_decay()),
                  static_cast<float>(o.lr() / bc1), static_cast<float>(1 / std::sqrt(bc2)));
    }
  }
  return loss;
}

}  // namespace gencli
