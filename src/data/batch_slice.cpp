#include "data/batch_slice.h"

namespace gencli {

BatchSlice::BatchSlice(std::unique_ptr<BatchSource> global, int64_t rank, int64_t world_size)
    : global_(std::move(global)), rank_(rank), world_size_(world_size) {}

torch::Tensor BatchSlice::rows(const torch::Tensor& t) const {
  if (!t.defined()) return t;
  const int64_t n = t.size(0) / world_size_;
  return t.narrow(0, rank_ * n, n);
}

Batch BatchSlice::next() {
  Batch b = global_->next();
  TORCH_CHECK(b.images.defined() ? b.images.size(0) % world_size_ == 0 : true, "a global batch of ",
              b.images.size(0), " rows does not divide among ", world_size_, " processes");
  Batch slice{rows(b.images), rows(b.labels), rows(b.tokens)};
  slice.cells = rows(b.cells);
  if (!b.captions.empty()) {
    const int64_t n = static_cast<int64_t>(b.captions.size()) / world_size_;
    slice.captions.assign(b.captions.begin() + rank_ * n, b.captions.begin() + (rank_ + 1) * n);
  }
  return slice;
}

}  // namespace gencli
