#include "models/channel_cross_entropy.h"

#include <ATen/Parallel.h>

#include "core/profiled_region.h"
#include "models/channel_cross_entropy_kernel.h"

namespace gencli {

namespace {

constexpr int64_t kRowGrain = 64;

// Logits (B, K, ...) stored position-major: each position's K logits side by side (the output
// of a channels-last convolution), taken as they are rather than transposed.
bool is_position_major(const torch::Tensor& logits) {
  return logits.dim() >= 3 && !logits.is_contiguous() && logits.movedim(1, -1).is_contiguous();
}

class ChannelCrossEntropyFunction : public torch::autograd::Function<ChannelCrossEntropyFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits_in,
                               const torch::Tensor& target_in) {
    GENCLI_PROFILED_REGION("gencli::channel_cross_entropy");
    if (is_position_major(logits_in)) return forward_rows(ctx, logits_in, target_in.contiguous());
    const torch::Tensor logits = logits_in.contiguous(), target = target_in.contiguous();
    const int64_t batch = logits.size(0), classes = logits.size(1), length = logits[0][0].numel();
    torch::Tensor lse = torch::empty({batch, length}, logits.options());
    const float* x = logits.data_ptr<float>();
    const int64_t* t = target.data_ptr<int64_t>();
    float* m = lse.data_ptr<float>();
    at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) channel_log_sum_exp(x + b * classes * length, classes, length, m + b * length);
    });
    // nats = log-sum-exp minus the target's logit.
    torch::Tensor nats = torch::empty({batch, length}, logits.options());
    float* n = nats.data_ptr<float>();
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t l = 0; l < length; ++l) {
        const int64_t at = b * length + l;
        n[at] = m[at] - x[(b * classes + t[at]) * length + l];
      }
    ctx->save_for_backward({logits, target, lse});
    return nats.view(target.sizes());
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const torch::autograd::variable_list saved = ctx->get_saved_variables();
    const torch::Tensor &logits = saved[0], &target = saved[1], &lse = saved[2];
    const torch::Tensor grad = grads[0].contiguous();
    if (is_position_major(logits)) {
      const int64_t classes = logits.size(1);
      torch::Tensor dlogits = torch::empty_like(logits);  // position-major too
      const float *x = logits.data_ptr<float>(), *m = lse.data_ptr<float>(), *g = grad.data_ptr<float>();
      const int64_t* t = target.data_ptr<int64_t>();
      float* d = dlogits.data_ptr<float>();
      at::parallel_for(0, target.numel(), kRowGrain, [&](int64_t begin, int64_t end) {
        row_cross_entropy_backward(x + begin * classes, m + begin, t + begin, g + begin, end - begin, classes,
                                   d + begin * classes);
      });
      return {dlogits, torch::Tensor()};
    }
    const int64_t batch = logits.size(0), classes = logits.size(1), length = lse.size(1);
    torch::Tensor dlogits = torch::empty_like(logits);
    const float* x = logits.data_ptr<float>();
    const float* m = lse.data_ptr<float>();
    const float* g = grad.data_ptr<float>();
    const int64_t* t = target.data_ptr<int64_t>();
    float* d = dlogits.data_ptr<float>();
    at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b)
        channel_cross_entropy_backward(x + b * classes * length, m + b * length, t + b * length, g + b * length,
                                       classes, length, d + b * classes * length);
    });
    return {dlogits, torch::Tensor()};
  }

 private:
  static torch::Tensor forward_rows(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits,
                                    const torch::Tensor& target) {
    GENCLI_PROFILED_REGION("gencli::channel_cross_entropy_rows");
    const int64_t classes = logits.size(1);
    torch::Tensor lse = torch::empty(target.sizes(), logits.options());
    torch::Tensor nats = torch::empty(target.sizes(), logits.options());
    const float* x = logits.data_ptr<float>();
    const int64_t* t = target.data_ptr<int64_t>();
    float *m = lse.data_ptr<float>(), *n = nats.data_ptr<float>();
    at::parallel_for(0, target.numel(), kRowGrain, [&](int64_t begin, int64_t end) {
      row_log_sum_exp(x + begin * classes, end - begin, classes, m + begin);
      for (int64_t r = begin; r < end; ++r) n[r] = m[r] - x[r * classes + t[r]];
    });
    ctx->save_for_backward({logits, target, lse});
    return nats;
  }
};

}  // namespace

torch::Tensor channel_cross_entropy_reference(const torch::Tensor& logits, const torch::Tensor& target) {
  return torch::nn::functional::cross_entropy(
      logits, target, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
}

torch::Tensor channel_cross_entropy(const torch::Tensor& logits, const torch::Tensor& target) {
  const bool fused = logits.device().is_cpu() && logits.scalar_type() == torch::kFloat && logits.dim() >= 2 &&
                     target.scalar_type() == torch::kLong && target.device().is_cpu() && logits.numel() > 0;
  if (!fused) return channel_cross_entropy_reference(logits, target);
  std::vector<int64_t> expected = logits.sizes().vec();
  expected.erase(expected.begin() + 1);
  TORCH_CHECK(target.sizes() == torch::IntArrayRef(expected), "cross_entropy: targets of shape ", target.sizes(),
              " for logits of shape ", logits.sizes());
  if (target.numel() > 0) {
    const auto [low, high] = torch::aminmax(target);
    TORCH_CHECK(low.item<int64_t>() >= 0 && high.item<int64_t>() < logits.size(1), "cross_entropy: a target outside [0, ",
                logits.size(1), ")");
  }
  return ChannelCrossEntropyFunction::apply(logits, target);
}

}  // namespace gencli
