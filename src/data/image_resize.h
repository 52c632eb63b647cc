#pragma once
// Fits an image of any size and aspect into a square: scale the shorter side to `size`
// (area averaging when shrinking, bilinear when enlarging), then cut out the centre.
#include "core/torch_api.h"

namespace gencli {

// image: (C, H, W) float. Returns (C, size, size) float, values within the input's range.
torch::Tensor resize_and_center_crop(const torch::Tensor& image, int64_t size);

}  // namespace gencli
