#include "models/group_norm.h"

#include <ATen/Parallel.h>

#include "core/profiled_region.h"
#include "models/channels_last.h"
#include "models/group_norm_kernel.h"

namespace gencli {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

constexpr auto kChannelsLast = at::MemoryFormat::ChannelsLast;

GroupNormShape shape_of(const torch::Tensor& x, int64_t groups) {
  return {x.size(2) * x.size(3), x.size(1), groups};
}

struct ChannelsLastGroupNorm : torch::autograd::Function<ChannelsLastGroupNorm> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& gamma,
                               const torch::Tensor& beta, int64_t groups, double eps, bool silu) {
    GENCLI_PROFILED_REGION("gencli::group_norm");
    const GroupNormShape s = shape_of(x, groups);
    const int64_t batch = x.size(0), per_sample = s.pixels * s.channels;
    torch::Tensor y = torch::empty(x.sizes(), x.options().memory_format(kChannelsLast));
    torch::Tensor mean = torch::empty({batch, groups}, x.options());
    torch::Tensor rstd = torch::empty({batch, groups}, x.options());
    const torch::Tensor g = gamma.contiguous(), b = beta.contiguous();
    const float *in = x.data_ptr<float>(), *pg = g.data_ptr<float>(), *pb = b.data_ptr<float>();
    float *out = y.data_ptr<float>(), *pm = mean.data_ptr<float>(), *pr = rstd.data_ptr<float>();
    at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n)
        group_norm_forward_channels_last(in + n * per_sample, pg, pb, s, static_cast<float>(eps), silu,
                                         out + n * per_sample, pm + n * groups, pr + n * groups);
    });
    ctx->save_for_backward({x, g, b, mean, rstd});
    ctx->saved_data["groups"] = groups;
    ctx->saved_data["silu"] = silu;
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &gamma = saved[1], &beta = saved[2], &mean = saved[3], &rstd = saved[4];
    const int64_t groups = ctx->saved_data["groups"].toInt();
    const bool silu = ctx->saved_data["silu"].toBool();
    const torch::Tensor dy = grads[0].contiguous(kChannelsLast);
    const GroupNormShape s = shape_of(x, groups);
    const int64_t batch = x.size(0), per_sample = s.pixels * s.channels;
    torch::Tensor dx = torch::empty(x.sizes(), x.options().memory_format(kChannelsLast));
    // Each sample's share of the parameter gradients, summed over the batch afterwards.
    torch::Tensor dgamma = torch::empty({batch, s.channels}, x.options());
    torch::Tensor dbeta = torch::empty({batch, s.channels}, x.options());
    const float *in = x.data_ptr<float>(), *grad = dy.data_ptr<float>(), *pg = gamma.data_ptr<float>(),
                *pb = beta.data_ptr<float>(), *pm = mean.data_ptr<float>(), *pr = rstd.data_ptr<float>();
    float *out = dx.data_ptr<float>(), *dg = dgamma.data_ptr<float>(), *db = dbeta.data_ptr<float>();
    at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n)
        group_norm_backward_channels_last(in + n * per_sample, grad + n * per_sample, pg, pb, pm + n * groups,
                                          pr + n * groups, s, silu, out + n * per_sample, dg + n * s.channels,
                                          db + n * s.channels);
    });
    return {dx, dgamma.sum(0), dbeta.sum(0), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

torch::Tensor apply(const torch::Tensor& x, const torch::nn::GroupNorm& norm, bool silu) {
  const auto& o = norm->options;
  TORCH_CHECK(x.dim() == 4 && x.size(1) == o.num_channels(), "group_norm: expected (B, ", o.num_channels(),
              ", H, W), got ", x.sizes());
  // Groups that do not divide the channels take LibTorch's path, which names the error.
  const bool fast = x.device().is_cpu() && x.scalar_type() == torch::kFloat && is_channels_last_map(x) &&
                    o.affine() && norm->weight.scalar_type() == torch::kFloat && x.numel() > 0 &&
                    o.num_groups() > 0 && o.num_channels() % o.num_groups() == 0;
  if (!fast) return group_norm_reference(x, norm, silu);
  return ChannelsLastGroupNorm::apply(x, norm->weight, norm->bias, o.num_groups(), o.eps(), silu);
}

}  // namespace

torch::Tensor group_norm_reference(const torch::Tensor& x, const torch::nn::GroupNorm& norm, bool silu) {
  const auto& o = norm->options;
  torch::Tensor y = torch::group_norm(x, o.num_groups(), norm->weight, norm->bias, o.eps());
  return silu ? torch::silu(y) : y;
}

torch::Tensor group_norm(const torch::Tensor& x, const torch::nn::GroupNorm& norm) { return apply(x, norm, false); }

torch::Tensor group_norm_silu(const torch::Tensor& x, const torch::nn::GroupNorm& norm) { return apply(x, norm, true); }

}  // namespace gencli
