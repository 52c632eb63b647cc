#pragma once
// A trained classifier (model.type "classifier") used as the feature network of the
// sample-quality metrics: its penultimate activations and its class probabilities.
#include <memory>
#include <string>

#include "train/checkpoint.h"

namespace gencli::classifier {
class ClassifierModel;
}

namespace gencli::eval {

struct FeatureOutput {
  torch::Tensor features;       // (N, D) float on the CPU
  torch::Tensor probabilities;  // (N, K)
};

class FeatureNetwork {
 public:
  // Throws UserError naming the path when the checkpoint is not a classifier's.
  FeatureNetwork(const std::string& checkpoint, const torch::Device& device);

  // images: (N, C, H, W) in [0, 1]; run in batches without gradients. Throws UserError naming
  // `what` when the images do not have the shape the classifier was trained on.
  FeatureOutput run(const torch::Tensor& images, const std::string& what);

  const std::string& path() const { return path_; }
  const torch::Device& device() const { return device_; }
  const Config& config() const { return loaded_.config; }  // the classifier's run config
  int64_t num_classes() const;
  int64_t feature_dim() const;

 private:
  std::string path_;
  torch::Device device_;
  LoadedModel loaded_;
  classifier::ClassifierModel* classifier_ = nullptr;
};

}  // namespace gencli::eval
