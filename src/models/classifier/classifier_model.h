#pragma once
// An image classifier trained with cross-entropy. It generates nothing: it is the feature
// network of the sample-quality metrics (see eval/feature_network.h).
#include "models/classifier/classifier_network.h"
#include "models/model.h"

namespace gencli::classifier {

// Accuracy and mean cross-entropy of a classifier over a labelled split.
struct SplitScore {
  double loss = 0;      // nats per image
  double accuracy = 0;  // share of images labelled correctly
  std::vector<double> per_class_accuracy;
  int64_t images = 0;
};

class ClassifierModel : public Model {
 public:
  ClassifierModel(ClassifierConfig config, int64_t num_classes, std::string data_range);

  std::vector<OptimizedPart> optimized_parts() override;
  StepMetrics train_step(StepContext& ctx) override;
  nlohmann::json evaluate(EvalContext& ctx) override;
  Validation validate(EvalContext& ctx) override;
  int64_t num_classes() const { return num_classes_; }

  // Scores images (N, C, H, W) in the data range against their labels, in batches, without gradients.
  SplitScore score(const torch::Tensor& images, const torch::Tensor& labels);

  const ClassifierConfig& config() const { return config_; }
  // The pixel range the network was trained on (data.range: "tanh" or "unit").
  const std::string& data_range() const { return data_range_; }

  ClassifierNetwork net{nullptr};

 private:
  ClassifierConfig config_;
  int64_t num_classes_;
  std::string data_range_;
};

}  // namespace gencli::classifier
