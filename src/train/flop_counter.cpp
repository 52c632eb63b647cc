#include "train/flop_counter.h"

#include <ATen/record_function.h>

#include <atomic>
#include <cstring>

#include "core/torch_api.h"

namespace gencli {

namespace {

std::atomic<double> counted{0.0};
std::atomic<bool> active{false};

void add(double flops) {
  double seen = counted.load();
  while (!counted.compare_exchange_weak(seen, seen + flops)) {
  }
}

double kernel_volume(const at::Tensor& weight) {  // (out, in / groups, k...) -> (in / groups) * prod(k)
  double v = static_cast<double>(weight.size(1));
  for (int64_t d = 2; d < weight.dim(); ++d) v *= static_cast<double>(weight.size(d));
  return v;
}

const at::Tensor* tensor_at(c10::ArrayRef<const c10::IValue> values, size_t i) {
  return i < values.size() && values[i].isTensor() ? &values[i].toTensor() : nullptr;
}

double product_flops(const at::Tensor& a, const at::Tensor& b) {  // (..., n, k) x (..., k, m)
  return 2.0 * static_cast<double>(a.numel()) * static_cast<double>(b.size(-1));
}

// Every counted operator's start hands its end a context. A forward convolution's cost depends
// on its output size, known only at the end, so the start keeps what the end needs (inputs are
// valid only during the start callback).
struct CountedOp : at::ObserverContext {
  double flops_per_output = 0;  // > 0: a forward convolution, counted at its end
};

// Counted operators already running on this thread. Autocast's kernel for aten::mm (and its
// kin) casts the inputs and calls aten::mm again: only the outermost call of a nest counts.
thread_local int counted_depth = 0;

bool is_counted(const char* name) {
  for (const char* op : {"mm", "bmm", "addmm", "baddbmm", "convolution", "convolution_backward"})
    if (!std::strcmp(name, op)) return true;
  return false;
}

// Every output element of a convolution (every input element, when transposed) is a dot
// product over in/groups channels times the kernel: 2 FLOPs per term.
std::unique_ptr<at::ObserverContext> on_op_start(const at::RecordFunction& fn) {
  const char* name = fn.name();
  if (std::strncmp(name, "aten::", 6) != 0 || !is_counted(name + 6)) return nullptr;
  name += 6;
  auto context = std::make_unique<CountedOp>();
  if (counted_depth++ > 0) return context;
  const auto in = fn.inputs();
  if (!std::strcmp(name, "mm") || !std::strcmp(name, "bmm")) {
    if (tensor_at(in, 0) && tensor_at(in, 1)) add(product_flops(*tensor_at(in, 0), *tensor_at(in, 1)));
  } else if (!std::strcmp(name, "addmm") || !std::strcmp(name, "baddbmm")) {
    if (tensor_at(in, 1) && tensor_at(in, 2)) add(product_flops(*tensor_at(in, 1), *tensor_at(in, 2)));
  } else if (!std::strcmp(name, "convolution")) {
    // (input, weight, bias, stride, padding, dilation, transposed, output_padding, groups)
    auto* input = tensor_at(in, 0);
    auto* weight = tensor_at(in, 1);
    if (!input || !weight || in.size() < 7 || !in[6].isBool()) return context;
    if (in[6].toBool())
      add(2.0 * static_cast<double>(input->numel()) * kernel_volume(*weight));
    else
      context->flops_per_output = 2.0 * kernel_volume(*weight);
  } else {  // convolution_backward
    // (grad_output, input, weight, bias_sizes, stride, padding, dilation, transposed, output_padding,
    // groups, output_mask): each of grad input and grad weight asked for costs a forward convolution.
    auto* grad_output = tensor_at(in, 0);
    auto* input = tensor_at(in, 1);
    auto* weight = tensor_at(in, 2);
    if (!grad_output || !input || !weight || in.size() < 11 || !in[7].isBool() || !in[10].isBoolList()) return context;
    const double forward =
        2.0 * static_cast<double>(in[7].toBool() ? input->numel() : grad_output->numel()) * kernel_volume(*weight);
    const auto mask = in[10].toBoolList();
    add(forward * ((mask.size() > 0 && mask.get(0)) + (mask.size() > 1 && mask.get(1))));
  }
  return context;
}

void on_op_end(const at::RecordFunction& fn, at::ObserverContext* context) {
  auto* op = dynamic_cast<CountedOp*>(context);
  if (!op) return;
  --counted_depth;
  if (op->flops_per_output <= 0) return;
  const auto& out = fn.outputs();
  if (!out.empty() && out[0].isTensor()) add(op->flops_per_output * static_cast<double>(out[0].toTensor().numel()));
}

}  // namespace

FlopCounter::FlopCounter() {
  TORCH_CHECK(!active.exchange(true), "FlopCounter: only one counter may run at a time");
  counted = 0;
  handle_ = at::addGlobalCallback(
      at::RecordFunctionCallback(&on_op_start, &on_op_end).needsInputs(true).needsOutputs(true));
}

FlopCounter::~FlopCounter() {
  at::removeCallback(handle_);
  active = false;
}

double FlopCounter::flops() const { return counted.load(); }

}  // namespace gencli
