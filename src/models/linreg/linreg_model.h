#pragma once
// The linear-regression walkthrough: fit y = w x + b by autograd and SGD, and, with
// --explain, print the six steps of one training step as LibTorch computes them.
#include "core/config_fields.h"
#include "models/model.h"

namespace gencli::linreg {

struct LinregConfig {
  std::string type = "linreg";
  std::vector<double> x = {1, 2, 3};   // inputs
  std::vector<double> y = {3, 5, 7};   // targets (y = 2x + 1)
  double init_weight = 1.8;            // starting weight
  double init_bias = 0.5;              // starting bias

  template <class V>
  void visit(V& v) {
    using namespace config;
    v.field("type", type);
    v.field("x", x);
    v.field("y", y);
    v.field("init_weight", init_weight);
    v.field("init_bias", init_bias);
  }
};

class LinregModel : public Model {
 public:
  explicit LinregModel(LinregConfig config);

  std::vector<OptimizedPart> optimized_parts() override;
  StepMetrics train_step(StepContext& ctx) override;
  nlohmann::json evaluate(EvalContext& ctx) override;
  void on_train_end(bool explain) override;

  torch::nn::Linear line{nullptr};

 private:
  torch::Tensor mse();
  LinregConfig config_;
  torch::Tensor x_, y_;  // (N, 1)
  int64_t steps_done_ = 0;
};

}  // namespace gencli::linreg
