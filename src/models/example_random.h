#pragma once
// The random draws of a training step that belong to its examples: latent noise, diffusion
// timesteps and noise, label dropout, binarisation, audio windows. In data-parallel training
// each process holds a slice of the global batch; drawing these for the whole global batch from
// one stream every process shares, then keeping this process's rows, makes N processes compute
// the same step as one. Draws that are not per example (dropout masks) stay on the process's
// own default generator.
#include "core/torch_api.h"

namespace gencli {

class ExampleRandom {
 public:
  // One process: draws from the default CPU generator, exactly as torch::randn(shape) does.
  ExampleRandom();
  // Process `rank` of `world_size`, each holding an equal slice of every global batch; `shared`
  // is a CPU generator in the same state on every process.
  ExampleRandom(torch::Generator shared, int64_t rank, int64_t world_size);

  // `shape[0]` is this process's rows (its slice of the batch). Draws happen on the CPU, so they
  // are the same on any device, and move to `options`' device.
  torch::Tensor normal(at::IntArrayRef shape, const torch::TensorOptions& options) const;
  torch::Tensor uniform(at::IntArrayRef shape, const torch::TensorOptions& options) const;
  torch::Tensor integers(int64_t high, at::IntArrayRef shape, const torch::TensorOptions& options) const;
  torch::Tensor normal_like(const torch::Tensor& x) const { return normal(x.sizes(), x.options()); }
  torch::Tensor uniform_like(const torch::Tensor& x) const { return uniform(x.sizes(), x.options()); }

  const torch::Generator& generator() const { return generator_; }

 private:
  std::vector<int64_t> global_shape(at::IntArrayRef shape) const;
  torch::Tensor this_process_rows(const torch::Tensor& global, const torch::TensorOptions& options) const;

  torch::Generator generator_;
  int64_t rank_ = 0;
  int64_t world_size_ = 1;
};

}  // namespace gencli
