#include "models/example_random.h"

namespace gencli {

ExampleRandom::ExampleRandom() : generator_(at::detail::getDefaultCPUGenerator()) {}

ExampleRandom::ExampleRandom(torch::Generator shared, int64_t rank, int64_t world_size)
    : generator_(std::move(shared)), rank_(rank), world_size_(world_size) {
  TORCH_CHECK(world_size_ >= 1 && rank_ >= 0 && rank_ < world_size_, "rank ", rank_, " of ", world_size_);
}

std::vector<int64_t> ExampleRandom::global_shape(at::IntArrayRef shape) const {
  TORCH_CHECK(!shape.empty(), "a per-example draw needs a batch dimension");
  std::vector<int64_t> global(shape.begin(), shape.end());
  global[0] *= world_size_;
  return global;
}

torch::Tensor ExampleRandom::this_process_rows(const torch::Tensor& global, const torch::TensorOptions& options) const {
  const int64_t rows = global.size(0) / world_size_;
  torch::Tensor mine = world_size_ == 1 ? global : global.narrow(0, rank_ * rows, rows);
  return mine.to(options.device());
}

torch::Tensor ExampleRandom::normal(at::IntArrayRef shape, const torch::TensorOptions& options) const {
  return this_process_rows(torch::randn(global_shape(shape), generator_, options.device(torch::kCPU)), options);
}

torch::Tensor ExampleRandom::uniform(at::IntArrayRef shape, const torch::TensorOptions& options) const {
  return this_process_rows(torch::rand(global_shape(shape), generator_, options.device(torch::kCPU)), options);
}

torch::Tensor ExampleRandom::integers(int64_t high, at::IntArrayRef shape, const torch::TensorOptions& options) const {
  return this_process_rows(torch::randint(high, global_shape(shape), generator_, options.device(torch::kCPU)),
                           options);
}

}  // namespace gencli
