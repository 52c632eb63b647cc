// The PixelCNN's sample mode: complete (the top rows of test images given, the rest drawn).
#include "core/errors.h"
#include "models/pixelcnn/pixelcnn_model.h"
#include "models/sampling.h"

namespace gencli::pixelcnn {

ModeResult PixelCnnModel::sample_mode(const ModeRequest& r) {
  if (r.mode != "complete") throw UserError("--mode " + r.mode + ": unknown for pixelcnn (known: prior, complete)");
  if (r.given_rows < 0 || r.given_rows >= config_.image_size)
    throw UserError("--given-rows " + std::to_string(r.given_rows) + ": must lie in [0, " +
                    std::to_string(config_.image_size - 1) + "] for " + std::to_string(config_.image_size) +
                    "-row images");
  check_image_shape(r.test_split.images, config_.image_channels, config_.image_size);
  const torch::Device device = parameters().front().device();
  Batch x = pick_examples(r.test_split, r.sampling.num, r.sampling.generator);
  torch::Tensor labels;
  if (config_.conditional) {
    if (r.klass >= num_classes_) throw UserError("--class " + std::to_string(r.klass) + ": out of range");
    labels = r.klass >= 0 ? torch::full({x.images.size(0)}, r.klass, torch::kLong) : x.labels;
    labels = labels.to(device);
  } else if (r.klass >= 0) {
    throw UserError("--class " + std::to_string(r.klass) + ": this model is not conditional");
  }
  // The originals as the model sees them (one binarization, or the levels), so the given rows
  // and the original row show the same pixels.
  torch::Tensor original = targets(x.images.to(device), r.sampling.generator);
  torch::Tensor completed = generate(original.clone(), labels, r.given_rows, r.sampling);
  torch::Tensor given = to_images(original).clone();
  given.slice(2, r.given_rows).fill_(0.5);  // the part to be drawn shown mid-grey
  ModeResult result;
  result.nrow = r.nrow;
  result.images = interleave_rows({given, to_images(completed), to_images(original)}, r.nrow, 1.0);
  result.report = {{"given_rows", static_cast<double>(r.given_rows)}};
  return result;
}

}  // namespace gencli::pixelcnn
