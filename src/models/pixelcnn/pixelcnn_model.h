#pragma once
// The PixelCNN family: p(x) = prod_i p(x_i | x_<i) over pixels in raster order, each factor a
// Bernoulli (binarized pixels) or a categorical over K intensity levels, computed for every
// pixel at once by a masked network in training and evaluation, and drawn pixel by pixel when
// sampling. The likelihood is exact: eval reports it directly, not a bound.
#include "models/model.h"
#include "models/pixelcnn/pixelcnn_config.h"
#include "models/pixelcnn/pixelcnn_networks.h"

namespace gencli::pixelcnn {

class PixelCnnModel : public Model {
 public:
  PixelCnnModel(PixelCnnConfig config, int64_t num_classes);
  torch::Tensor data_as_modelled(const torch::Tensor& images, const torch::Generator& generator) const override {
    return to_images(targets(images, generator));
  }

  std::vector<OptimizedPart> optimized_parts() override;
  StepMetrics train_step(StepContext& ctx) override;
  torch::Tensor sample(const SampleRequest& request) override;
  ModeResult sample_mode(const ModeRequest& request) override;
  nlohmann::json evaluate(EvalContext& ctx) override;

  // What the likelihood is over, from images in [0, 1]: binary pixels (dynamically binarized,
  // from `generator` when given) or int64 levels.
  torch::Tensor targets(const torch::Tensor& images, const torch::Generator& generator = {}) const;
  // Network logits for targets: (B, C, H, W) for Bernoulli, (B, C, K, H, W) for categorical.
  torch::Tensor logits(const torch::Tensor& targets, const torch::Tensor& labels);
  // log p(targets) per image in nats, (B).
  torch::Tensor log_likelihood(const torch::Tensor& targets, const torch::Tensor& labels);
  // Draws the pixels of `targets` from row `first_row` on, one at a time in raster order; rows
  // above are kept. Returns the completed targets. With request.use_cache the gated network
  // computes each activation once (GatedRasterCache) instead of rerunning rows 0..i per pixel;
  // both paths draw the same values from the same generator.
  torch::Tensor generate(torch::Tensor targets, const torch::Tensor& labels, int64_t first_row,
                         const SampleRequest& request);
  // Targets back to images in [0, 1].
  torch::Tensor to_images(const torch::Tensor& targets) const;

  const PixelCnnConfig& config() const { return config_; }

  std::shared_ptr<PixelNetworkImpl> network;

 private:
  torch::Tensor network_input(const torch::Tensor& targets) const;  // [-1, 1] floats
  torch::Tensor one_hot(const torch::Tensor& labels) const;
  // One draw for every image's pixel from its logits: (B, C) Bernoulli, or (B, C * K) / (B, C, K).
  torch::Tensor draw_pixel(const torch::Tensor& pixel_logits, const SampleRequest& request) const;

  PixelCnnConfig config_;
  int64_t num_classes_;
};

}  // namespace gencli::pixelcnn
