#pragma once
// `data.type: canvas`: captioned images composed from a labelled set (data.root, MNIST-format
// files: the offline digits or Fashion-MNIST). Each canvas is a 2x2 grid of the set's images,
// 2H x 2W, holding what its caption says (data/canvas_scene.h). Training draws new canvases
// every step from the training split and never shows a held-out object (data.held_out); the
// fixed test set is drawn from the test split with held-out objects included.
#include "core/torch_api.h"

#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "data/batch.h"
#include "data/canvas_scene.h"
#include "data/image_dataset.h"

namespace gencli {

// The grammar data.class_names and data.held_out describe; a ConfigError names the key at fault.
canvas::SceneGrammar canvas_grammar(const DataConfig& config);

// The objects canvases are made of, indexed by class.
class CanvasObjects {
 public:
  explicit CanvasObjects(ImageDataset objects, int num_classes);
  // (C, 2H, 2W): the scene's objects, each a random image of its class, on the background.
  torch::Tensor compose(const canvas::Scene& scene, canvas::CounterRandom& random) const;
  const ImageDataset& images() const { return objects_; }

 private:
  ImageDataset objects_;
  std::vector<std::vector<int64_t>> by_class_;
  float background_;
};

// New canvases every step; the draw counter is the whole state a checkpoint keeps.
class CanvasBatches : public BatchSource {
 public:
  CanvasBatches(const CanvasObjects& objects, const canvas::SceneGrammar& grammar, int64_t batch_size, uint64_t seed);
  Batch next() override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

 private:
  const CanvasObjects& objects_;
  const canvas::SceneGrammar& grammar_;
  int64_t batch_size_;
  canvas::CounterRandom random_;
};

// `count` canvases drawn with `seed` from `objects` (training: no held-out objects), with
// images, captions, cells, and as labels the index of each caption's template.
ImageDataset draw_canvases(const CanvasObjects& objects, const canvas::SceneGrammar& grammar, int64_t count,
                           uint64_t seed, bool avoid_held_out);

// The fixed canvas set of a split: data.canvas_count canvases from that split of data.root.
ImageDataset load_canvas(const DataConfig& config, Split split);

}  // namespace gencli
