#include "models/pixelcnn/pixelcnn_model.h"

#include <cmath>

#include "core/errors.h"
#include "models/categorical_draw.h"
#include "models/discrete_pixels.h"
#include "models/pixelcnn/gated_raster_cache.h"

namespace gencli::pixelcnn {

namespace {

bool is_bernoulli(const PixelCnnConfig& c) { return c.likelihood == "bernoulli"; }

}  // namespace

namespace {

Capabilities pixelcnn_capabilities(const PixelCnnConfig& config, int64_t num_classes) {
  Capabilities c;
  c.classes = config.conditional ? num_classes : 0;
  c.reads.temperature = true;
  c.sampling_step = "pixel";
  c.modes = {{"complete", "given / completed / original rows: the top --given-rows of test images kept, the rest drawn",
              true}};
  c.parallel_ops = true;
  c.reads.cache = config.arch == "gated";  // the residual network's blind-spot stack has no cache yet
  c.serial_cached_sampling = true;
  return c;
}

}  // namespace

PixelCnnModel::PixelCnnModel(PixelCnnConfig config, int64_t num_classes)
    : Model(pixelcnn_capabilities(config, num_classes)),
      config_(std::move(config)), num_classes_(num_classes) {
  network = register_module("network", make_pixel_network(config_, num_classes_));
}

std::vector<OptimizedPart> PixelCnnModel::optimized_parts() { return {{"pixelcnn", parameters()}}; }

torch::Tensor PixelCnnModel::targets(const torch::Tensor& images, const torch::Generator& generator) const {
  if (is_bernoulli(config_)) return binarize(images, generator);
  return to_levels(images, config_.levels);
}

torch::Tensor PixelCnnModel::to_images(const torch::Tensor& targets) const {
  return is_bernoulli(config_) ? targets.to(torch::kFloat) : from_levels(targets, config_.levels);
}

torch::Tensor PixelCnnModel::network_input(const torch::Tensor& targets) const { return to_images(targets) * 2 - 1; }

torch::Tensor PixelCnnModel::one_hot(const torch::Tensor& labels) const {
  if (!config_.conditional) return {};
  TORCH_CHECK(labels.defined(), "a conditional PixelCNN needs labels");
  return torch::one_hot(labels, num_classes_).to(torch::kFloat);
}

torch::Tensor PixelCnnModel::logits(const torch::Tensor& targets, const torch::Tensor& labels) {
  torch::Tensor out = network->forward(network_input(targets), one_hot(labels));
  if (is_bernoulli(config_)) return out;
  return out.view({out.size(0), config_.image_channels, config_.levels, out.size(2), out.size(3)});
}

torch::Tensor PixelCnnModel::log_likelihood(const torch::Tensor& targets, const torch::Tensor& labels) {
  torch::Tensor out = logits(targets, labels);
  torch::Tensor nll;
  if (is_bernoulli(config_)) {
    nll = torch::binary_cross_entropy_with_logits(out, targets, {}, {}, at::Reduction::None);
  } else {
    // cross_entropy wants the classes in dimension 1: (B, K, C, H, W).
    nll = torch::nn::functional::cross_entropy(out.transpose(1, 2), targets,
                                               torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  }
  return -nll.flatten(1).sum(1);
}

StepMetrics PixelCnnModel::train_step(StepContext& ctx) {
  Batch batch = ctx.batches->next();
  check_image_shape(batch.images, config_.image_channels, config_.image_size);
  torch::Tensor labels = config_.conditional ? batch.labels : torch::Tensor();
  torch::Tensor target = is_bernoulli(config_) ? binarize_with(batch.images, ctx.random.uniform_like(batch.images))
                                               : targets(batch.images);
  torch::Tensor nll = -log_likelihood(target, labels).mean();
  ctx.optimizers->zero_grad("pixelcnn");
  ctx.optimizers->backward(nll);
  ctx.optimizers->update("pixelcnn");
  const double nats = nll.item<double>();
  const int64_t dims = batch.images[0].numel();
  return {{"nll", nats}, {"bits_per_dim", bits_per_dim(nats, dims)}};
}

torch::Tensor PixelCnnModel::draw_pixel(const torch::Tensor& pixel_logits, const SampleRequest& request) const {
  if (is_bernoulli(config_)) return draw_bernoulli(pixel_logits, request.temperature, request.generator);
  const auto b = pixel_logits.size(0), c = config_.image_channels;
  return draw_categorical(pixel_logits.reshape({b * c, config_.levels}), request.temperature, request.generator)
      .view({b, c});
}

torch::Tensor PixelCnnModel::generate(torch::Tensor targets, const torch::Tensor& labels, int64_t first_row,
                                      const SampleRequest& request) {
  torch::NoGradGuard no_grad;
  const int64_t h = targets.size(2), w = targets.size(3);
  const int64_t total = (h - first_row) * w;
  int64_t done = 0;
  const auto* gated = dynamic_cast<const GatedPixelCnnImpl*>(network.get());
  if (request.use_cache && gated) {
    GatedRasterCache cache(*gated, network_input(targets), one_hot(labels), first_row);
    for (int64_t i = first_row; i < h; ++i) {
      for (int64_t j = 0; j < w; ++j) {
        torch::Tensor value = draw_pixel(cache.logits_at(i, j), request);
        targets.select(3, j).select(2, i).copy_(value);
        cache.set_pixel(i, j, network_input(value));
        if (request.progress) request.progress(++done, total);
      }
    }
    return targets;
  }
  for (int64_t i = first_row; i < h; ++i) {
    for (int64_t j = 0; j < w; ++j) {
      // Rows below i cannot reach pixel (i, j), so the network runs on rows 0..i only.
      torch::Tensor out = logits(targets.slice(2, 0, i + 1), labels);
      // (B, C) Bernoulli logits, or (B, C, K)
      torch::Tensor pixel_logits = is_bernoulli(config_) ? out.select(3, j).select(2, i) : out.select(4, j).select(3, i);
      targets.select(3, j).select(2, i).copy_(draw_pixel(pixel_logits, request));
      if (request.progress) request.progress(++done, total);
    }
  }
  return targets;
}

torch::Tensor PixelCnnModel::sample(const SampleRequest& request) {
  if (config_.conditional && !request.labels.defined())
    throw UserError("this PixelCNN is conditional: sampling needs class labels");
  const torch::Device device = parameters().front().device();
  const auto dtype = is_bernoulli(config_) ? torch::kFloat : torch::kLong;
  torch::Tensor blank = torch::zeros({request.num, config_.image_channels, config_.image_size, config_.image_size},
                                     torch::TensorOptions().dtype(dtype).device(device));
  torch::Tensor labels = request.labels.defined() ? request.labels.to(device) : torch::Tensor();
  return to_images(generate(blank, labels, 0, request));
}

}  // namespace gencli::pixelcnn
