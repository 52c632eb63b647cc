#include "models/classifier/classifier_model.h"

#include "core/errors.h"

namespace gencli::classifier {

namespace {

Capabilities classifier_capabilities() {
  Capabilities c;
  c.output = Output::nothing;
  c.validation_loss = true;
  c.parallel_ops = true;
  return c;
}

}  // namespace

ClassifierModel::ClassifierModel(ClassifierConfig config, int64_t num_classes, std::string data_range)
    : Model(classifier_capabilities()),
      config_(std::move(config)), num_classes_(num_classes), data_range_(std::move(data_range)) {
  net = register_module("net", ClassifierNetwork(config_, num_classes_));
}

std::vector<OptimizedPart> ClassifierModel::optimized_parts() { return {{"classifier", net->parameters()}}; }

StepMetrics ClassifierModel::train_step(StepContext& ctx) {
  Batch batch = ctx.batches->next();
  check_image_shape(batch.images, config_.image_channels, config_.image_size);
  torch::Tensor logits = net->forward(batch.images);
  torch::Tensor loss = torch::nn::functional::cross_entropy(logits, batch.labels);
  ctx.optimizers->zero_grad("classifier");
  ctx.optimizers->backward(loss);
  ctx.optimizers->update("classifier");
  const double accuracy = logits.argmax(1).eq(batch.labels).to(torch::kDouble).mean().item<double>();
  return {{"loss", loss.item<double>()}, {"accuracy", accuracy}};
}

SplitScore ClassifierModel::score(const torch::Tensor& images, const torch::Tensor& labels) {
  if (!images.defined() || images.size(0) == 0) throw UserError("classifier: the test split is empty");
  check_image_shape(images, config_.image_channels, config_.image_size);
  torch::NoGradGuard no_grad;
  const bool was_training = is_training();
  eval();
  constexpr int64_t kBatch = 500;
  const int64_t n = images.size(0);
  double total_loss = 0;
  torch::Tensor correct_by_class = torch::zeros({num_classes_}, torch::kDouble);
  torch::Tensor count_by_class = torch::zeros({num_classes_}, torch::kDouble);
  for (int64_t start = 0; start < n; start += kBatch) {
    const int64_t end = std::min(n, start + kBatch);
    torch::Tensor y = labels.slice(0, start, end);
    torch::Tensor logits = net->forward(images.slice(0, start, end));
    total_loss += torch::nn::functional::cross_entropy(
                      logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                      .item<double>();
    torch::Tensor y_cpu = y.to(torch::kCPU);
    torch::Tensor hit = logits.argmax(1).eq(y).to(torch::kCPU, torch::kDouble);
    correct_by_class.index_add_(0, y_cpu, hit);
    count_by_class.index_add_(0, y_cpu, torch::ones_like(hit));
  }
  if (was_training) train();
  SplitScore s;
  s.images = n;
  s.loss = total_loss / n;
  s.accuracy = correct_by_class.sum().item<double>() / n;
  for (int64_t c = 0; c < num_classes_; ++c) {
    const double count = count_by_class[c].item<double>();
    s.per_class_accuracy.push_back(count > 0 ? correct_by_class[c].item<double>() / count : 0.0);
  }
  return s;
}

Validation ClassifierModel::validate(EvalContext& ctx) {
  const SplitScore s = score(ctx.test_split.images, ctx.test_split.labels);
  return {s.loss, {{"val_accuracy", s.accuracy}}};
}

nlohmann::json ClassifierModel::evaluate(EvalContext& ctx) {
  const SplitScore s = score(ctx.test_split.images, ctx.test_split.labels);
  nlohmann::json j;
  j["test_images"] = s.images;
  j["test_accuracy"] = s.accuracy;
  j["test_loss_nats"] = s.loss;
  j["per_class_accuracy"] = s.per_class_accuracy;
  j["feature_dim"] = config_.feature_dim;
  return j;
}

}  // namespace gencli::classifier
