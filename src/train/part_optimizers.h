#pragma once
// The optimizers of a run, one per part the model names (a GAN has two); the loop owns them,
// the family decides when to step which.
#include "core/torch_api.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "models/model.h"

namespace gencli {

class PartOptimizers : public Optimizers {
 public:
  PartOptimizers(Model& model, const OptimConfig& config);

  void zero_grad(const std::string& part) override;
  // Clips the part's gradients (optim.grad_clip), then steps.
  void update(const std::string& part) override;
  void set_lr(double lr);

  // The parts in the model's order, and each one's optimizer (for checkpoints).
  const std::vector<std::string>& names() const { return names_; }
  torch::optim::Optimizer& optimizer(const std::string& part) { return *get(part).optimizer; }

 private:
  struct Part {
    std::vector<torch::Tensor> parameters;
    std::unique_ptr<torch::optim::Optimizer> optimizer;
  };
  Part& get(const std::string& name);

  const OptimConfig& config_;
  std::map<std::string, Part> parts_;
  std::vector<std::string> names_;
};

}  // namespace gencli
