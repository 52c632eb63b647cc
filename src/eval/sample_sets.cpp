#include "eval/sample_sets.h"

#include "core/errors.h"
#include "data/image_dataset.h"
#include "io/image_grid.h"
#include "core/progress.h"

namespace gencli::eval {

namespace {
constexpr int64_t kSamplesPerCall = 500;  // bounds the memory of iterative samplers (diffusion, PixelCNN)
}

void check_can_generate(const Model& model, const Config& config, int64_t klass) {
  const Capabilities& caps = model.capabilities();
  if (!caps.generates_images())
    throw UserError("--features: model.type " + config.model_type() + " does not generate images to judge");
  if (klass >= 0 && !caps.conditional())
    throw UserError("--class: model.type " + config.model_type() + " here is not conditional");
  if (klass >= caps.classes && caps.conditional())
    throw UserError("--class " + std::to_string(klass) + ": the model has classes 0-" +
                    std::to_string(caps.classes - 1));
}

ImageSet generate_samples(Model& model, const Config& config, const SampleRequest& settings, int64_t num,
                          int64_t klass, uint64_t seed, const std::vector<std::string>& prompts) {
  check_can_generate(model, config, klass);
  torch::NoGradGuard no_grad;
  model.eval();
  ImageSet set;
  const int64_t classes = model.capabilities().classes;
  if (classes > 0)
    set.labels = klass >= 0 ? torch::full({num}, klass, torch::kLong)
                            : torch::arange(num, torch::kLong).remainder(classes);
  auto generator = at::detail::createCPUGenerator(seed);
  std::vector<torch::Tensor> parts;
  Progress progress(0, num, kSamplesPerCall, "generated sample");
  for (int64_t start = 0; start < num; start += kSamplesPerCall) {
    SampleRequest request = settings;
    request.num = std::min(kSamplesPerCall, num - start);
    request.generator = generator;
    if (set.labels.defined()) request.labels = set.labels.slice(0, start, start + request.num);
    if (!prompts.empty()) request.prompts.assign(prompts.begin() + start, prompts.begin() + start + request.num);
    // Judged as `gencli sample` writes them: clamped to [0, 1] and rounded to 8 bits, like the
    // real images they are compared with.
    torch::Tensor images = to_unit_range(model.sample(request), config.data.range).to(torch::kCPU);
    parts.push_back(images.clamp(0, 1).mul(255).round().div(255));
    progress.update(start + request.num, {});
  }
  progress.finish();
  set.images = torch::cat(parts);
  return set;
}

ImageSet load_real_split(DataConfig data, bool test_split) {
  data.range = "unit";
  data.limit = 0;
  data.placement = "cpu";
  ImageDataset d = load_image_dataset(data, test_split ? Split::Test : Split::Train, torch::kCPU);
  return {d.images, d.labels};
}

ImageSet uniform_noise(const torch::Tensor& like, int64_t num, uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  auto sizes = like.sizes().vec();
  sizes[0] = num;
  return {torch::rand(sizes, generator, torch::kFloat), torch::Tensor()};
}

ImageSet random_subset(const ImageSet& set, int64_t num, uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  torch::Tensor rows = torch::randperm(set.images.size(0), generator, torch::kLong)
                           .slice(0, 0, std::min(num, set.images.size(0)));
  return {set.images.index_select(0, rows), set.labels.defined() ? set.labels.index_select(0, rows) : torch::Tensor()};
}

}  // namespace gencli::eval
