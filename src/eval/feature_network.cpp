#include "eval/feature_network.h"

#include "core/errors.h"
#include "models/classifier/classifier_model.h"

namespace gencli::eval {

FeatureNetwork::FeatureNetwork(const std::string& checkpoint, const torch::Device& device)
    : path_(checkpoint), device_(device), loaded_(load_model(checkpoint, device)) {
  classifier_ = dynamic_cast<classifier::ClassifierModel*>(loaded_.model.get());
  if (!classifier_)
    throw UserError("--features " + checkpoint + ": a " + loaded_.config.model_type() +
                    " checkpoint, expected a classifier's (train one with configs/classifier_mnist.json)");
  classifier_->eval();
}

int64_t FeatureNetwork::num_classes() const { return classifier_->num_classes(); }
int64_t FeatureNetwork::feature_dim() const { return classifier_->config().feature_dim; }

FeatureOutput FeatureNetwork::run(const torch::Tensor& images, const std::string& what) {
  const auto& c = classifier_->config();
  if (images.dim() != 4 || images.size(1) != c.image_channels || images.size(2) != c.image_size ||
      images.size(3) != c.image_size)
    throw UserError(what + ": images of shape " + c10::str(images.sizes()) + ", but the feature network " + path_ +
                    " was trained on " + std::to_string(c.image_channels) + "x" + std::to_string(c.image_size) + "x" +
                    std::to_string(c.image_size));
  torch::NoGradGuard no_grad;
  constexpr int64_t kBatch = 500;
  std::vector<torch::Tensor> features, probabilities;
  for (int64_t start = 0; start < images.size(0); start += kBatch) {
    torch::Tensor x = images.slice(0, start, start + kBatch).to(device_, torch::kFloat);
    if (classifier_->data_range() == "tanh") x = x * 2 - 1;
    torch::Tensor f = classifier_->net->features(x);
    probabilities.push_back(torch::softmax(classifier_->net->logits_from_features(f), 1).to(torch::kCPU));
    features.push_back(f.to(torch::kCPU));
  }
  return {torch::cat(features), torch::cat(probabilities)};
}

}  // namespace gencli::eval
