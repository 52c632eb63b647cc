#include "data/canvas.h"

#include <stdexcept>

#include "core/errors.h"

namespace gencli {

namespace {

// Seeds of the fixed sets, apart from training's stream (train.seed) so the test set is the
// same for every run.
constexpr uint64_t kTrainSetSeed = 0x7261696eull;
constexpr uint64_t kTestSetSeed = 0x74657374ull;

std::vector<std::string> default_class_names(int64_t num_classes) {
  std::vector<std::string> names;
  for (int64_t k = 0; k < num_classes; ++k) names.push_back(std::to_string(k));
  return names;
}

}  // namespace

canvas::SceneGrammar canvas_grammar(const DataConfig& config) {
  std::vector<std::string> names = config.class_names.empty() ? default_class_names(config.num_classes) : config.class_names;
  if (static_cast<int64_t>(names.size()) != config.num_classes)
    throw ConfigError("data.class_names: " + std::to_string(names.size()) + " names for data.num_classes " +
                      std::to_string(config.num_classes));
  try {
    canvas::SceneGrammar(names, {});
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("data.class_names: ") + e.what());
  }
  try {
    return canvas::SceneGrammar(names, config.held_out);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("data.held_out: ") + e.what());
  }
}

CanvasObjects::CanvasObjects(ImageDataset objects, int num_classes)
    : objects_(std::move(objects)), by_class_(num_classes) {
  torch::Tensor labels = objects_.labels.cpu();
  const int64_t* label = labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < labels.numel(); ++i) by_class_.at(label[i]).push_back(i);
  for (int k = 0; k < num_classes; ++k)
    if (by_class_[k].empty())
      throw DataError("data.root: no image of class " + std::to_string(k) + " to put on a canvas");
  // The darkest pixel is the background: 0 in data.range unit, -1 in tanh.
  background_ = objects_.images.min().item<float>() < -0.5f ? -1.0f : 0.0f;
}

torch::Tensor CanvasObjects::compose(const canvas::Scene& scene, canvas::CounterRandom& random) const {
  const int64_t c = objects_.images.size(1), h = objects_.images.size(2), w = objects_.images.size(3);
  torch::Tensor out = torch::full({c, canvas::kSide * h, canvas::kSide * w}, background_, objects_.images.options());
  for (int cell = 0; cell < canvas::kCells; ++cell) {
    const int klass = scene.cells[cell];
    if (klass == canvas::kEmpty) continue;
    const auto& pool = by_class_[klass];
    const int64_t pick = pool[random.below(static_cast<int>(pool.size()))];
    const int64_t row = cell / canvas::kSide, col = cell % canvas::kSide;
    out.slice(1, row * h, (row + 1) * h).slice(2, col * w, (col + 1) * w).copy_(objects_.images[pick]);
  }
  return out;
}

CanvasBatches::CanvasBatches(const CanvasObjects& objects, const canvas::SceneGrammar& grammar, int64_t batch_size,
                             uint64_t seed)
    : objects_(objects), grammar_(grammar), batch_size_(batch_size), random_(seed) {}

Batch CanvasBatches::next() {
  std::vector<torch::Tensor> images;
  std::vector<int64_t> cells, templates;
  Batch b;
  for (int64_t i = 0; i < batch_size_; ++i) {
    auto [scene, caption] = canvas::draw_scene(grammar_, random_, true);
    images.push_back(objects_.compose(scene, random_));
    cells.insert(cells.end(), scene.cells.begin(), scene.cells.end());
    templates.push_back(static_cast<int64_t>(caption.kind));
    b.captions.push_back(std::move(caption.text));
  }
  const torch::Device device = objects_.images().images.device();
  b.images = torch::stack(images);
  b.labels = torch::tensor(templates, torch::kLong).to(device);
  b.cells = torch::tensor(cells, torch::kLong).view({batch_size_, canvas::kCells}).to(device);
  return b;
}

void CanvasBatches::save(torch::serialize::OutputArchive& archive) const {
  archive.write("canvas_draws", c10::IValue(static_cast<int64_t>(random_.counter())));
}

void CanvasBatches::load(torch::serialize::InputArchive& archive) {
  c10::IValue draws;
  archive.read("canvas_draws", draws);
  random_ = canvas::CounterRandom(random_.seed(), static_cast<uint64_t>(draws.toInt()));
}

ImageDataset draw_canvases(const CanvasObjects& objects, const canvas::SceneGrammar& grammar, int64_t count,
                           uint64_t seed, bool avoid_held_out) {
  canvas::CounterRandom random(seed);
  std::vector<torch::Tensor> images;
  std::vector<int64_t> cells, templates;
  ImageDataset out;
  for (int64_t i = 0; i < count; ++i) {
    auto [scene, caption] = canvas::draw_scene(grammar, random, avoid_held_out);
    images.push_back(objects.compose(scene, random));
    cells.insert(cells.end(), scene.cells.begin(), scene.cells.end());
    templates.push_back(static_cast<int64_t>(caption.kind));
    out.captions.push_back(std::move(caption.text));
  }
  out.images = torch::stack(images);
  out.labels = torch::tensor(templates, torch::kLong);
  out.cells = torch::tensor(cells, torch::kLong).view({count, canvas::kCells});
  return out;
}

ImageDataset load_canvas(const DataConfig& config, Split split) {
  DataConfig source = config;
  source.type = "idx";
  const canvas::SceneGrammar grammar = canvas_grammar(config);
  CanvasObjects objects(load_image_dataset(source, split, torch::kCPU), grammar.num_classes());
  const bool train = split == Split::Train;
  return draw_canvases(objects, grammar, config.canvas_count, train ? kTrainSetSeed : kTestSetSeed, train);
}

}  // namespace gencli
