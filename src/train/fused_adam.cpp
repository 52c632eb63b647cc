#include "train/fused_adam.h"

#include <cmath>

namespace gencli {

namespace optim = torch::optim;

namespace {

bool dense_cpu_float(const torch::Tensor& t) {
  return t.device().is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous() && !t.is_sparse();
}

// Kingma & Ba 2015, Algorithm 1, with L2 weight decay added to the gradient as LibTorch does:
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// The loop vectorises (CMake compiles this file with -fno-math-errno so sqrt can); the
// clones let the loader pick AVX-512 or AVX2 code where the CPU has it (1.1M floats:
// 2.8 ms scalar, 0.68 ms SSE, 0.37-0.43 ms AVX2/AVX-512, measured here).
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void adam_update(float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v,
                 int64_t n, float b1, float b2, float eps, float weight_decay, float step_size,
                 float inv_sqrt_bc2) {
  for (int64_t i = 0; i < n; ++i) {
    const float grad = weight_decay != 0 ? g[i] + weight_decay * p[i] : g[i];
    m[i] = b1 * m[i] + (1 - b1) * grad;
    v[i] = b2 * v[i] + (1 - b2) * grad * grad;
    p[i] -= step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_bc2 + eps);
  }
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
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    torch::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups()) {
    const auto& o = static_cast<const optim::AdamOptions&>(group.options());
    const double b1 = std::get<0>(o.betas()), b2 = std::get<1>(o.betas());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto key = c10::guts::to_string(p.unsafeGetTensorImpl());
      if (state_.find(key) == state_.end()) {
        auto s = std::make_unique<optim::AdamParamState>();
        s->step(0);
        s->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        s->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        state_[key] = std::move(s);
      }
      auto& s = static_cast<optim::AdamParamState&>(*state_[key]);
      s.step(s.step() + 1);
      const double bc1 = 1 - std::pow(b1, static_cast<double>(s.step()));
      const double bc2 = 1 - std::pow(b2, static_cast<double>(s.step()));
      adam_update(p.data_ptr<float>(), p.grad().data_ptr<float>(), s.exp_avg().data_ptr<float>(),
                  s.exp_avg_sq().data_ptr<float>(), p.numel(), static_cast<float>(b1), static_cast<float>(b2),
                  static_cast<float>(o.eps()), static_cast<float>(o.weight_decay()),
                  static_cast<float>(o.lr() / bc1), static_cast<float>(1 / std::sqrt(bc2)));
    }
  }
  return loss;
}

}  // namespace gencli
