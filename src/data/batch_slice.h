#pragma once
// One process's share of every global batch in a data-parallel run: the wrapped source draws
// the global batch in its one shared order (the same on every process) and this keeps rows
// [rank * B / N, (rank + 1) * B / N). The order state saved is the global source's, so a run
// resumes with any number of processes.
#include <memory>

#include "data/batch.h"

namespace gencli {

class BatchSlice : public BatchSource {
 public:
  BatchSlice(std::unique_ptr<BatchSource> global, int64_t rank, int64_t world_size);
  Batch next() override;
  void save(torch::serialize::OutputArchive& archive) const override { global_->save(archive); }
  void load(torch::serialize::InputArchive& archive) override { global_->load(archive); }

 private:
  torch::Tensor rows(const torch::Tensor& t) const;

  std::unique_ptr<BatchSource> global_;
  int64_t rank_;
  int64_t world_size_;
};

}  // namespace gencli
