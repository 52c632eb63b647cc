#include "models/gated_activation.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <vector>

#include "core/profiled_region.h"
#include "models/channels_last.h"
#include "models/gated_activation_kernel.h"

namespace gencli {

namespace {

// x viewed as (outer, 2, half): each of the `outer` leading blocks holds its tanh half, then
// its sigmoid half, of `half` elements each: `channels` rows of `spatial` elements.
struct GateLayout {
  int64_t outer = 0, half = 0, channels = 0, spatial = 0;
};

GateLayout gate_layout(const torch::Tensor& x) {
  TORCH_CHECK(x.dim() >= 2 && x.size(1) % 2 == 0, "gated_activation: dimension 1 must be even, got ", x.sizes());
  GateLayout l;
  l.outer = x.size(0);
  l.half = x.numel() / std::max<int64_t>(1, l.outer) / 2;
  l.channels = x.size(1) / 2;
  l.spatial = l.half / std::max<int64_t>(1, l.channels);
  return l;
}

void check_bias(const torch::Tensor& x, const torch::Tensor& bias) {
  TORCH_CHECK(!bias.defined() || (bias.dim() == 2 && bias.size(0) == x.size(0) && bias.size(1) == x.size(1)),
              "gated_activation: the bias must be (batch, channels) = (", x.size(0), ", ", x.size(1), "), got ",
              bias.sizes());
}

// Calls f(block, first, count) over the elements of every block, split across LibTorch's pool.
template <class F>
void for_each_span(const GateLayout& l, F f) {
  at::parallel_for(0, l.outer * l.half, 16384, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end;) {
      const int64_t block = i / l.half, first = i % l.half;
      const int64_t count = std::min(end - i, l.half - first);
      f(block, first, count);
      i += count;
    }
  });
}

// for_each_span, cut where the channel changes, with that channel's two biases (zeros without
// a bias): g(block, first, count, bias_a, bias_b).
template <class G>
void for_each_biased_span(const GateLayout& l, const float* bias, G g) {
  for_each_span(l, [&](int64_t block, int64_t first, int64_t count) {
    if (!bias) return g(block, first, count, 0.0f, 0.0f);
    const float* row = bias + block * 2 * l.channels;
    while (count > 0) {
      const int64_t channel = first / l.spatial;
      const int64_t n = std::min(count, (channel + 1) * l.spatial - first);
      g(block, first, n, row[channel], row[l.channels + channel]);
      first += n;
      count -= n;
    }
  });
}

// Calls f(sample, first, count, bias) over the pixel rows of a channels-last (B, 2C, H, W) map
// (each pixel's 2C values one row), split across LibTorch's pool and cut where the sample
// changes; bias: that sample's 2C biases (zeros without a bias).
template <class F>
void for_each_pixel_span(const torch::Tensor& x, const float* bias, F f) {
  const int64_t pixels = x.size(2) * x.size(3), row = x.size(1);
  const std::vector<float> zeros(bias ? 0 : row, 0.0f);
  at::parallel_for(0, x.size(0) * pixels, std::max<int64_t>(1, 16384 / row), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end;) {
      const int64_t sample = i / pixels, first = i % pixels;
      const int64_t count = std::min(end - i, pixels - first);
      f(sample, first, count, bias ? bias + sample * row : zeros.data());
      i += count;
    }
  });
}

class GatedActivationFunction : public torch::autograd::Function<GatedActivationFunction> {
 public:
  // bias: (B, 2C) added to every position of its sample and channel first, or undefined.
  // (LibTorch 1.13's custom functions take no undefined tensor, hence the optional.)
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                               const c10::optional<torch::Tensor>& bias_in) {
    GENCLI_PROFILED_REGION("gencli::gated_activation");
    const bool channels_last = is_channels_last_map(input);
    torch::Tensor x = channels_last ? input : input.contiguous();
    torch::Tensor bias = bias_in ? bias_in->contiguous() : torch::Tensor();
    ctx->save_for_backward(bias.defined() ? torch::autograd::variable_list{x, bias} : torch::autograd::variable_list{x});
    const GateLayout l = gate_layout(x);
    std::vector<int64_t> shape = x.sizes().vec();
    shape[1] /= 2;
    const float* in = x.data_ptr<float>();
    if (channels_last) {
      torch::Tensor out = torch::empty(shape, x.options().memory_format(at::MemoryFormat::ChannelsLast));
      float* o = out.data_ptr<float>();
      const int64_t pixels = x.size(2) * x.size(3);
      for_each_pixel_span(x, bias.defined() ? bias.data_ptr<float>() : nullptr,
                          [&](int64_t sample, int64_t first, int64_t count, const float* row_bias) {
                            const int64_t row = sample * pixels + first;
                            gated_activation_forward_rows(in + row * 2 * l.channels, count, l.channels, row_bias,
                                                          o + row * l.channels);
                          });
      return out;
    }
    torch::Tensor out = torch::empty(shape, x.options());
    float* o = out.data_ptr<float>();
    for_each_biased_span(l, bias.defined() ? bias.data_ptr<float>() : nullptr,
                         [&](int64_t block, int64_t first, int64_t count, float bias_a, float bias_b) {
                           const float* a = in + block * 2 * l.half + first;
                           gated_activation_forward(a, a + l.half, count, bias_a, bias_b, o + block * l.half + first);
                         });
    return out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const torch::autograd::variable_list saved = ctx->get_saved_variables();
    const torch::Tensor& x = saved[0];
    const torch::Tensor bias = saved.size() > 1 ? saved[1] : torch::Tensor();
    const GateLayout l = gate_layout(x);
    const float* in = x.data_ptr<float>();
    if (is_channels_last_map(x)) {
      const torch::Tensor grad = grads[0].contiguous(at::MemoryFormat::ChannelsLast);
      torch::Tensor dx = torch::empty(x.sizes(), x.options().memory_format(at::MemoryFormat::ChannelsLast));
      const float* g = grad.data_ptr<float>();
      float* d = dx.data_ptr<float>();
      const int64_t pixels = x.size(2) * x.size(3);
      for_each_pixel_span(x, bias.defined() ? bias.data_ptr<float>() : nullptr,
                          [&](int64_t sample, int64_t first, int64_t count, const float* row_bias) {
                            const int64_t row = sample * pixels + first;
                            gated_activation_backward_rows(in + row * 2 * l.channels, g + row * l.channels, count,
                                                           l.channels, row_bias, d + row * 2 * l.channels);
                          });
      torch::Tensor dbias;
      if (bias.defined() && ctx->needs_input_grad(1)) dbias = dx.sum({2, 3});
      return {dx, dbias};
    }
    const torch::Tensor grad = grads[0].contiguous();
    torch::Tensor dx = torch::empty_like(x);
    const float* g = grad.data_ptr<float>();
    float* d = dx.data_ptr<float>();
    for_each_biased_span(l, bias.defined() ? bias.data_ptr<float>() : nullptr,
                         [&](int64_t block, int64_t first, int64_t count, float bias_a, float bias_b) {
                           const int64_t at = block * 2 * l.half + first;
                           gated_activation_backward(in + at, in + at + l.half, g + block * l.half + first, count,
                                                     bias_a, bias_b, d + at, d + at + l.half);
                         });
    // The bias enters every position of its row, so its gradient is the row's sum.
    torch::Tensor dbias;
    if (bias.defined() && ctx->needs_input_grad(1)) dbias = dx.view({x.size(0), x.size(1), -1}).sum(2);
    return {dx, dbias};
  }
};

}  // namespace

torch::Tensor gated_activation_reference(const torch::Tensor& x) {
  auto halves = x.chunk(2, 1);
  return torch::tanh(halves[0]) * torch::sigmoid(halves[1]);
}

torch::Tensor gated_activation_reference(const torch::Tensor& x, const torch::Tensor& bias) {
  check_bias(x, bias);
  if (!bias.defined()) return gated_activation_reference(x);
  std::vector<int64_t> shape(x.dim(), 1);
  shape[0] = bias.size(0), shape[1] = bias.size(1);
  return gated_activation_reference(x + bias.view(shape));
}

torch::Tensor gated_activation(const torch::Tensor& x) { return gated_activation(x, torch::Tensor()); }

torch::Tensor gated_activation(const torch::Tensor& x, const torch::Tensor& bias) {
  check_bias(x, bias);
  const bool fused_bias = !bias.defined() || (bias.device() == x.device() && bias.scalar_type() == torch::kFloat);
  if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat || x.numel() == 0 || !fused_bias)
    return gated_activation_reference(x, bias);
  return GatedActivationFunction::apply(x, bias.defined() ? c10::optional<torch::Tensor>(bias) : c10::nullopt);
}

}  // namespace gencli
