#include "train/fused_adam.h"

#include <cmath>

#include "core/profiled_region.h"
#include "core/torch_compat.h"
#include "train/adam_kernel.h"
#include "train/loss_closure.h"

namespace gencli {

namespace optim = torch::optim;

namespace {

bool dense_cpu_float(const torch::Tensor& t) {
  return t.device().is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous() && !t.is_sparse();
}

template <class Options>
bool fusable(const std::vector<optim::OptimizerParamGroup>& groups) {
  for (const auto& group : groups) {
    if (static_cast<const Options&>(group.options()).amsgrad()) return false;
    for (const auto& p : group.params())
      if (p.grad().defined() && !(dense_cpu_float(p) && dense_cpu_float(p.grad()))) return false;
  }
  return true;
}

// One fused pass per parameter, on the state LibTorch's Adam and AdamW share (AdamParamState
// and AdamWParamState hold the same step, exp_avg and exp_avg_sq).
template <class Options, class ParamState, class StateMap>
void fused_step(std::vector<optim::OptimizerParamGroup>& groups, StateMap& state, bool decoupled_decay) {
  GENCLI_PROFILED_REGION("gencli::fused_adam_step");
  torch::NoGradGuard no_grad;
  for (auto& group : groups) {
    const auto& o = static_cast<const Options&>(group.options());
    const double b1 = std::get<0>(o.betas()), b2 = std::get<1>(o.betas());
    // AdamW scales the parameter by 1 - lr * decay before its update; Adam adds decay * p
    // to the gradient.
    const float l2 = decoupled_decay ? 0.0f : static_cast<float>(o.weight_decay());
    const float shrink = decoupled_decay ? static_cast<float>(1 - o.lr() * o.weight_decay()) : 1.0f;
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto key = torch_compat::optimizer_state_key(p);
      if (state.find(key) == state.end()) {
        auto s = std::make_unique<ParamState>();
        s->step(0);
        s->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        s->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        state[key] = std::move(s);
      }
      auto& s = static_cast<ParamState&>(*state[key]);
      // The raw kernel below trusts the sizes; a loaded state of another shape must not reach it.
      TORCH_CHECK(s.exp_avg().numel() == p.numel() && s.exp_avg_sq().numel() == p.numel(),
                  "Adam state of ", s.exp_avg().numel(), " values for a parameter of ", p.numel());
      s.step(s.step() + 1);
      const double bc1 = 1 - std::pow(b1, static_cast<double>(s.step()));
      const double bc2 = 1 - std::pow(b2, static_cast<double>(s.step()));
      torch::Tensor m = s.exp_avg(), v = s.exp_avg_sq();
      adam_update_float(p.data_ptr<float>(), p.grad().data_ptr<float>(), m.data_ptr<float>(), v.data_ptr<float>(),
                        p.numel(), static_cast<float>(b1), static_cast<float>(b2),
                        static_cast<float>(o.eps()), l2, shrink, static_cast<float>(o.lr() / bc1),
                        static_cast<float>(1 / std::sqrt(bc2)));
    }
  }
}

}  // namespace

torch::Tensor FusedAdam::step(LossClosure closure) {
  if (!fusable<optim::AdamOptions>(param_groups())) return optim::Adam::step(closure);
  torch::Tensor loss = evaluate_closure(closure);
  fused_step<optim::AdamOptions, optim::AdamParamState>(param_groups(), state_, /*decoupled_decay=*/false);
  return loss;
}

torch::Tensor FusedAdamW::step(LossClosure closure) {
  if (!fusable<optim::AdamWOptions>(param_groups())) return optim::AdamW::step(closure);
  torch::Tensor loss = evaluate_closure(closure);
  fused_step<optim::AdamWOptions, optim::AdamWParamState>(param_groups(), state_, /*decoupled_decay=*/true);
  return loss;
}

}  // namespace gencli
