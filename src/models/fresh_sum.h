#pragma once
// A residual sum written into the memory of a tensor just computed, rather than into a new one:
// on the CPU a new map for each sum costs a pass over memory (3 % of a ddpm_mnist step).
#include "core/torch_api.h"

namespace gencli {

// fresh + other, stored in fresh where that changes nothing but the memory used: fresh must be
// a tensor only the caller holds, whose producer's backward does not read it (a convolution's
// output: its backward reads the input and the weight), shaped like the sum. Where the dtypes
// differ (autocast), a new tensor, so the sum keeps the wider type. The values are exactly
// those of fresh + other.
torch::Tensor add_into_fresh(torch::Tensor fresh, const torch::Tensor& other);

}  // namespace gencli
