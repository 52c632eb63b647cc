#include "models/classifier/classifier_network.h"

namespace gencli::classifier {

namespace nn = torch::nn;

ClassifierNetworkImpl::ClassifierNetworkImpl(const ClassifierConfig& c, int64_t num_classes) {
  nn::Sequential body;
  int64_t channels = c.image_channels, size = c.image_size;
  for (int64_t out : c.conv_channels) {
    body->push_back(nn::Conv2d(nn::Conv2dOptions(channels, out, 3).padding(1)));
    body->push_back(nn::ReLU());
    body->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
    channels = out;
    size /= 2;
  }
  body->push_back(nn::Flatten());
  convs = register_module("convs", body);
  to_features = register_module("to_features", nn::Linear(channels * size * size, c.feature_dim));
  dropout = register_module("dropout", nn::Dropout(c.dropout));
  to_logits = register_module("to_logits", nn::Linear(c.feature_dim, num_classes));
}

torch::Tensor ClassifierNetworkImpl::features(const torch::Tensor& images) {
  return torch::relu(to_features(convs->forward(images)));
}

torch::Tensor ClassifierNetworkImpl::logits_from_features(const torch::Tensor& features) {
  return to_logits(dropout(features));
}

}  // namespace gencli::classifier
