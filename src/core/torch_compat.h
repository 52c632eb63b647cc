#pragma once
// The few places where the LibTorch lines gencli builds against (Debian's 1.13 and the pip
// wheel's 2.x) differ in their C++ API, each behind one named shim so that the rest of the
// code is written once. Version tests (TORCH_VERSION_MAJOR) appear here and in
// torch_compat.cpp only.
#include "core/torch_api.h"

#include <torch/version.h>

#include <cstdint>
#include <optional>
#include <string>

namespace c10d {
class Backend;
class ProcessGroup;
}  // namespace c10d

namespace gencli::torch_compat {

// What c10d's process groups (Gloo, NCCL) derive from: ProcessGroup in 1.13, Backend in 2.x,
// where a ProcessGroup became a front for one backend per device type.
#if TORCH_VERSION_MAJOR >= 2
using CollectiveBackend = c10d::Backend;
#else
using CollectiveBackend = c10d::ProcessGroup;
#endif

// The key under which torch::optim keeps a parameter's state: its TensorImpl's address,
// printed as a string by 1.13 and used as the pointer itself by 2.x.
#if TORCH_VERSION_MAJOR >= 2
using OptimizerStateKey = void*;
inline OptimizerStateKey optimizer_state_key(const torch::Tensor& p) { return p.unsafeGetTensorImpl(); }
#else
using OptimizerStateKey = std::string;
inline OptimizerStateKey optimizer_state_key(const torch::Tensor& p) {
  return c10::guts::to_string(p.unsafeGetTensorImpl());
}
#endif

// c10::Allocator with its interface spelled per line: 2.x made allocate() non-const and added
// copy_data(). Subclasses implement forward_allocate() and name the allocator they wrap.
class ForwardingAllocator : public c10::Allocator {
 public:
  explicit ForwardingAllocator(c10::Allocator* inner) : inner_(inner) {}
  c10::Allocator* inner() const { return inner_; }
  c10::DeleterFnPtr raw_deleter() const override { return inner_->raw_deleter(); }
#if TORCH_VERSION_MAJOR >= 2
  c10::DataPtr allocate(size_t n) override { return forward_allocate(n); }
  void copy_data(void* dest, const void* src, std::size_t count) const override { inner_->copy_data(dest, src, count); }
#else
  c10::DataPtr allocate(size_t n) const override { return forward_allocate(n); }
#endif

 protected:
  virtual c10::DataPtr forward_allocate(size_t n) const = 0;

 private:
  c10::Allocator* inner_;
};

// Whether this LibTorch's torch::optim can map the parameter keys in an optimizer state saved
// by `optimizer.save(section)`. LibTorch 1.13 wrote each parameter's address in hex ("0x55..."),
// 2.x writes it in decimal and reads keys with std::stoull, which turns every hex key into 0: all
// parameters would share one state. 1.13 reads 2.x's keys as plain strings, which works.
bool optimizer_state_keys_readable(torch::serialize::InputArchive& section);

// Autocast for one device type (CPU or CUDA): whether it is on and the type it casts to.
// 1.13 spells these per device (set_cpu_enabled, set_autocast_gpu_dtype), 2.x takes the type.
struct AutocastState {
  bool enabled = false;
  at::ScalarType dtype = at::kFloat;
};
AutocastState autocast_state(c10::DeviceType device_type);
void set_autocast_state(c10::DeviceType device_type, AutocastState state);

// A 2-d convolution's padding when it is given as numbers, or nullopt for kValid and kSame
// (1.13 holds the choice in a c10::variant, 2.x in a std::variant).
std::optional<std::vector<int64_t>> explicit_padding(const torch::nn::detail::ConvNdOptions<2>& options);

// Whether this LibTorch has at::scaled_dot_product_attention (it came in 2.0).
bool has_fused_attention();

// Whether this LibTorch runs float32 CPU transposed convolutions on oneDNN (2.x does; 1.13
// falls back to im2col).
bool has_onednn_transposed_convolution();

// at::scaled_dot_product_attention without dropout, or nullopt on a LibTorch without it.
// `allowed` (true = may attend) may be undefined.
std::optional<torch::Tensor> fused_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                             const torch::Tensor& allowed, bool is_causal);

// The kernel at::scaled_dot_product_attention would pick for float32 (CPU) or bfloat16 (CUDA)
// inputs of a small causal shape on `device`: "flash", "memory-efficient", "cudnn", "math"
// (the unfused fallback), or "none" on a LibTorch without fused attention.
std::string fused_attention_backend(const torch::Device& device);

}  // namespace gencli::torch_compat
