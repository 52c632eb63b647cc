#pragma once
// Lays images out in a grid like torchvision's make_grid (2-pixel gaps and border)
// and writes it as a PNG with provenance text chunks.
#include "core/torch_api.h"

#include "io/png.h"

namespace gencli {

// images: (N, C, H, W) already in [0, 1]. Returns (rows*(H+pad)+pad, nrow*(W+pad)+pad, C) uint8.
torch::Tensor make_grid(const torch::Tensor& images, int64_t nrow, int64_t padding = 2);

// Maps images from the data range ("tanh": [-1, 1], "unit": [0, 1]) to [0, 1].
torch::Tensor to_unit_range(const torch::Tensor& images, const std::string& range);

void save_grid_png(const std::string& path, const torch::Tensor& unit_images, int64_t nrow,
                   const png::TextChunks& provenance);

}  // namespace gencli
