#pragma once
// Pixels as discrete values, for the likelihood models that score them exactly (VAE, PixelCNN):
// dynamic binarization and K intensity levels, plus the seeded uniform noise both draw from.
#include "core/torch_api.h"

namespace gencli {

// U[0, 1) noise shaped like x, from `generator` (a CPU generator, so a seed gives the same draw
// on any device) or the default generator when it is undefined.
torch::Tensor uniform_like(const torch::Tensor& x, const torch::Generator& generator = {});

// Dynamic binarization: each pixel in [0, 1] becomes 1 with its intensity as probability.
torch::Tensor binarize(const torch::Tensor& x, const torch::Generator& generator = {});
// The same with the uniform noise given (u shaped like x, in [0, 1)).
torch::Tensor binarize_with(const torch::Tensor& x, const torch::Tensor& u);

// Pixels in [0, 1] as int64 levels 0 .. levels-1: floor(x * levels), the top value kept in the
// top level. For 8-bit data and 256 levels this is exactly the byte value 255 x.
torch::Tensor to_levels(const torch::Tensor& x, int64_t levels);
// Levels back to pixels in [0, 1]: level / (levels - 1).
torch::Tensor from_levels(const torch::Tensor& levels_tensor, int64_t levels);

// A negative log-likelihood in nats per example as bits per dimension: nats / (dims ln 2).
double bits_per_dim(double nats, int64_t dims);

}  // namespace gencli
