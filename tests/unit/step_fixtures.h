#pragma once
// Stand-ins for the training loop's pieces, so a family's train_step can run inside a unit test:
// batches cycled from tensors in memory and one Adam for every part.
#include <string>
#include <utility>
#include <vector>

#include "models/model.h"

namespace gencli::fixtures {

class TensorBatches : public BatchSource {
 public:
  TensorBatches(Batch data, int64_t batch_size) : data_(std::move(data)), batch_size_(batch_size) {}
  Batch next() override {
    if (cursor_ + batch_size_ > data_.images.size(0)) cursor_ = 0;
    Batch b{data_.images.slice(0, cursor_, cursor_ + batch_size_),
            data_.labels.defined() ? data_.labels.slice(0, cursor_, cursor_ + batch_size_) : torch::Tensor()};
    cursor_ += batch_size_;
    return b;
  }

 private:
  Batch data_;
  int64_t batch_size_, cursor_ = 0;
};

class AdamFor : public Optimizers {
 public:
  explicit AdamFor(std::vector<torch::Tensor> params, double lr = 3e-3)
      : adam_(std::move(params), torch::optim::AdamOptions(lr)) {}
  void zero_grad(const std::string&) override { adam_.zero_grad(); }
  void update(const std::string&) override { adam_.step(); }

 private:
  torch::optim::Adam adam_;
};

// Runs `steps` training steps; returns the first metric (the loss) of the first and last step.
inline std::pair<double, double> train_steps(Model& model, BatchSource& batches, Optimizers& optimizers,
                                             int64_t steps) {
  StepContext ctx;
  ctx.batches = &batches;
  ctx.optimizers = &optimizers;
  double first = 0, last = 0;
  for (int64_t step = 0; step < steps; ++step) {
    ctx.step = step;
    const StepMetrics m = model.train_step(ctx);
    if (step == 0) first = m[0].second;
    last = m[0].second;
  }
  return {first, last};
}

}  // namespace gencli::fixtures
