#pragma once
// The GAN family: generator + discriminator trained adversarially.
#include "models/gan/networks.h"
#include "models/model.h"

namespace gencli::gan {

class GanModel : public Model {
 public:
  GanModel(GanConfig config, int64_t num_classes);

  std::vector<OptimizedPart> optimized_parts() override;
  StepMetrics train_step(StepContext& ctx) override;
  torch::nn::Module* ema_target() override { return generator.ptr().get(); }
  torch::Tensor sample(const SampleRequest& request) override;
  nlohmann::json evaluate(EvalContext& ctx) override;

  Generator generator{nullptr};
  Discriminator discriminator{nullptr};

 private:
  torch::Tensor random_labels(const ExampleRandom& random, int64_t n, const torch::Device& device) const;
  void update_discriminator(StepContext& ctx, const Batch& real, const torch::Tensor& fake,
                            const torch::Tensor& fake_labels, StepMetrics& metrics);

  GanConfig config_;
  int64_t num_classes_;
};

}  // namespace gencli::gan
