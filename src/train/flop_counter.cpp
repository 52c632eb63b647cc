#include "train/flop_counter.h"

#include <ATen/record_function.h>

#include <atomic>
#include <cstring>

#include "core/torch_api.h"

namespace gencli {

namespace {

std::atomic<double> counted{0.0};

double kernel_volume(const at::Tensor& weight) {  // (out, in / groups, k...) -> (in / groups) * prod(k)
  double v = static_cast<double>(weight.size(1));
  for (int64_t d = 2; d < weight.dim(); ++d) v *= static_cast<double>(weight.size(d));
  return v;
}

// FLOPs of one convolution: every output element (or, transposed, every input element) is a
// dot product over in/groups channels times the kernel.
double convolution_flops(const at::Tensor& input, const at::Tensor& weight, const at::Tensor& output, bool transposed) {
  return 2.0 * static_cast<double>(transposed ? input.numel() : output.numel()) * kernel_volume(weight);
}

const at::Tensor* tensor_at(c10::ArrayRef<const c10::IValue> values, size_t i) {
  return i < values.size() && values[i].isTensor() ? &values[i].toTensor() : nullptr;
}

double product_flops(const at::Tensor& a, const at::Tensor& b) {  // (..., n, k) x (..., k, m)
  return 2.0 * static_cast<double>(a.numel()) * static_cast<double>(b.size(-1));
}

void on_op_end(const at::RecordFunction& fn, at::ObserverContext*) {
  const char* name = fn.name();
  if (std::strncmp(name, "aten::", 6) != 0) return;
  name += 6;
  const auto in = fn.inputs();
  double flops = 0;
  if (!std::strcmp(name, "mm") || !std::strcmp(name, "bmm")) {
    if (auto* a = tensor_at(in, 0); a && tensor_at(in, 1)) flops = product_flops(*a, *tensor_at(in, 1));
  } else if (!std::strcmp(name, "addmm") || !std::strcmp(name, "baddbmm")) {
    if (auto* a = tensor_at(in, 1); a && tensor_at(in, 2)) flops = product_flops(*a, *tensor_at(in, 2));
  } else if (!std::strcmp(name, "convolution")) {
    const auto& out = fn.outputs();
    auto* input = tensor_at(in, 0);
    auto* weight = tensor_at(in, 1);
    if (input && weight && !out.empty() && out[0].isTensor() && in.size() > 6 && in[6].isBool())
      flops = convolution_flops(*input, *weight, out[0].toTensor(), in[6].toBool());
  } else if (!std::strcmp(name, "convolution_backward")) {
    // (grad_output, input, weight, ..., transposed at 7, ...) -> (grad_input, grad_weight, grad_bias):
    // each gradient asked for costs as much as the forward convolution.
    const auto& out = fn.outputs();
    auto* grad_output = tensor_at(in, 0);
    auto* input = tensor_at(in, 1);
    auto* weight = tensor_at(in, 2);
    if (grad_output && input && weight && in.size() > 7 && in[7].isBool()) {
      const double forward = convolution_flops(*input, *weight, *grad_output, in[7].toBool());
      for (size_t i = 0; i < 2 && i < out.size(); ++i)
        if (out[i].isTensor() && out[i].toTensor().defined()) flops += forward;
    }
  }
  if (flops <= 0) return;
  double seen = counted.load();
  while (!counted.compare_exchange_weak(seen, seen + flops)) {
  }
}

std::unique_ptr<at::ObserverContext> on_op_start(const at::RecordFunction&) { return nullptr; }

}  // namespace

FlopCounter::FlopCounter() {
  counted = 0;
  handle_ = at::addGlobalCallback(
      at::RecordFunctionCallback(&on_op_start, &on_op_end).needsInputs(true).needsOutputs(true));
}

FlopCounter::~FlopCounter() { at::removeCallback(handle_); }

double FlopCounter::flops() const { return counted.load(); }

}  // namespace gencli
