#pragma once
// Sampling helpers shared by the training loop's grids and `gencli sample`.
#include "models/model.h"

namespace gencli {

// Labels for a grid of a conditional model: all `klass` when given (>= 0), else one row
// per class (row r draws class r mod num_classes). Undefined for unconditional models.
torch::Tensor grid_labels(const Model& model, int64_t num, int64_t nrow, int64_t klass);

// Draws request.num images with noise from a CPU generator seeded by `seed`; fills in the
// request's labels (see grid_labels) and generator, the rest (sampler settings) is the caller's.
torch::Tensor draw_samples(Model& model, SampleRequest request, int64_t nrow, int64_t klass, uint64_t seed);

// The latent vectors a request decodes: request.latents when given (UserError naming --latents
// unless they are (request.num, latent_dim)), else request.num standard normal vectors drawn
// from request.generator on the CPU.
torch::Tensor latent_vectors(const SampleRequest& request, int64_t latent_dim);

// `n` distinct examples of `split` chosen at random by `generator`; throws UserError when the
// split has fewer than n.
Batch pick_examples(const Batch& split, int64_t n, const torch::Generator& generator);

// Interleaves equally long image sets row by row for a comparison grid: nrow images of the
// first set, the same nrow of the second, ... then the next nrow of each. A short last row is
// padded with `fill`. Returns the images; the grid has nrow (or fewer, if the sets are shorter).
torch::Tensor interleave_rows(const std::vector<torch::Tensor>& sets, int64_t nrow, double fill);

}  // namespace gencli
