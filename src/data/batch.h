#pragma once
// One mini-batch, and the sources batches are drawn from. Data sets make them; the training
// loop and the families consume them.
#include "core/torch_api.h"

#include <string>
#include <vector>

namespace gencli {

// images: (B, C, H, W) in the configured range; labels: (B) int64 or undefined.
// tokens: (B, T) int64 for text (data.type "text"), else undefined.
// Captioned images (data.type "canvas") also carry captions, and cells: (B, 4) int64, the class
// in each cell of the canvas or -1 for an empty one.
struct Batch {
  torch::Tensor images{};
  torch::Tensor labels{};
  torch::Tensor tokens{};
  std::vector<std::string> captions{};
  torch::Tensor cells{};
};

// Where a family draws its batches from; a step may draw several (critic steps).
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual Batch next() = 0;
  // The order state that checkpoints keep so a resumed run draws the same batches.
  virtual void save(torch::serialize::OutputArchive& archive) const {}
  virtual void load(torch::serialize::InputArchive& archive) {}
};

}  // namespace gencli
