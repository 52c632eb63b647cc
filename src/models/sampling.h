#pragma once
// Sampling helpers shared by the training loop's grids and `gencli sample`.
#include "models/model.h"

namespace gencli {

// Labels for a grid of a conditional model: all `klass` when given (>= 0), else one row
// per class (row r draws class r mod num_classes). Undefined for unconditional models.
torch::Tensor grid_labels(const Model& model, int64_t num, int64_t nrow, int64_t klass);

// Draws `num` images with noise from a CPU generator seeded by `seed`.
torch::Tensor draw_samples(Model& model, int64_t num, int64_t nrow, int64_t klass, uint64_t seed, bool use_ema);

}  // namespace gencli
