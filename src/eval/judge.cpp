#include "eval/judge.h"

#include <spdlog/fmt/fmt.h>

#include "core/runtime_tuning.h"
#include "eval/sample_quality.h"
#include "eval/sample_sets.h"

namespace gencli::eval {

namespace {

std::string describe_split(const DataConfig& data, bool test, int64_t n) {
  return fmt::format("{} split of {} ({} images)", test ? "test" : "training", data.root, n);
}

QualitySettings quality_settings(const JudgeSettings& s) {
  QualitySettings settings;
  settings.seed = s.seed;
  return settings;
}

// Real images as `model` sees them (Model::data_as_modelled: PixelCNN's binary or few-level
// pixels), with a note for the report when that changed them; unchanged without a model.
torch::Tensor as_modelled(const Model* model, const torch::Tensor& images, uint64_t seed, std::string* name) {
  if (!model) return images;
  torch::Tensor seen = model->data_as_modelled(images, at::detail::createCPUGenerator(seed));
  if (!torch::equal(seen, images))
    *name += fmt::format(", as the model's pixel model sees them (binarized or cut to its levels, seed {})", seed);
  return seen;
}

// The same metrics for real training images against the test split: what a perfect model
// would score with this many samples, printed beside the model's numbers.
nlohmann::json real_floor(FeatureNetwork& network, const DataConfig& data, const QualitySets& reference,
                          const Model* model, const JudgeSettings& s) {
  const ImageSet train = load_real_split(data, /*test_split=*/false);
  QualitySets sets = reference;
  sets.intended_labels = torch::Tensor();
  sets.candidates_name = fmt::format("{} random images of the {}", std::min(s.num, train.images.size(0)),
                                     describe_split(data, false, train.images.size(0)));
  sets.candidates = as_modelled(model, random_subset(train, s.num, s.seed).images, s.seed + 1, &sets.candidates_name);
  return sample_quality(network, sets, quality_settings(s));
}

// The test split the candidates are judged against.
QualitySets reference_split(const DataConfig& data, const Model* model, uint64_t seed) {
  QualitySets sets;
  const ImageSet test = load_real_split(data, /*test_split=*/true);
  sets.reference_name = describe_split(data, true, test.images.size(0));
  sets.reference = as_modelled(model, test.images, seed, &sets.reference_name);
  return sets;
}

}  // namespace

nlohmann::json judge_samples(FeatureNetwork& network, LoadedModel& loaded, const std::string& checkpoint_name,
                             const JudgeSettings& s) {
  DataConfig data = loaded.config.data;
  if (!s.data_root.empty()) data.root = s.data_root;
  QualitySets sets = reference_split(data, loaded.model.get(), s.seed);
  const ImageSet samples = generate_samples(*loaded.model, loaded.config, s.sampling, s.num, s.klass, s.seed);
  set_cpu_threads(0, 0, /*parallel_ops=*/true);  // the feature and detection networks are convolutional
  sets.candidates = samples.images;
  sets.intended_labels = samples.labels;
  sets.candidates_name = fmt::format("{} samples of {}{}", s.num, checkpoint_name,
                                     s.klass >= 0 ? fmt::format(" (class {})", s.klass) : "");
  nlohmann::json quality = sample_quality(network, sets, quality_settings(s));
  quality["floor"] = real_floor(network, data, sets, loaded.model.get(), s);
  return quality;
}

nlohmann::json judge_real(FeatureNetwork& network, const std::string& real_root, bool noise, const JudgeSettings& s) {
  DataConfig data = network.config().data;
  data.root = real_root;
  QualitySets sets = reference_split(data, nullptr, s.seed);
  if (!noise) return real_floor(network, data, sets, nullptr, s);
  sets.candidates = uniform_noise(sets.reference, s.num, s.seed).images;
  sets.candidates_name = fmt::format("{} images of uniform noise", s.num);
  return sample_quality(network, sets, quality_settings(s));
}

}  // namespace gencli::eval
