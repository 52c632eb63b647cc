#pragma once
// The classifier's CNN: [3x3 conv, ReLU, 2x2 max-pool] per conv_channels entry, then a fully
// connected layer to feature_dim (ReLU) and one to the class logits.
#include "core/torch_api.h"
#include "models/classifier/classifier_config.h"

namespace gencli::classifier {

class ClassifierNetworkImpl : public torch::nn::Module {
 public:
  ClassifierNetworkImpl(const ClassifierConfig& config, int64_t num_classes);
  // The penultimate activations (B, feature_dim): what the sample-quality metrics compare.
  torch::Tensor features(const torch::Tensor& images);
  torch::Tensor logits_from_features(const torch::Tensor& features);
  torch::Tensor forward(const torch::Tensor& images) { return logits_from_features(features(images)); }

 private:
  torch::nn::Sequential convs{nullptr};
  torch::nn::Linear to_features{nullptr}, to_logits{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(ClassifierNetwork);

}  // namespace gencli::classifier
