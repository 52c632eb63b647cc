#pragma once
// Samples of a toy2d run drawn as a scatter plot (instead of an image grid), with the
// distribution's mode centres marked, on axes that fit the data range.
#include "core/torch_api.h"

#include <string>

#include "core/config.h"
#include "io/png.h"

namespace gencli {

// samples: (N, 2, 1, 1) or (N, 2) in data.range. Throws UserError when they are not 2-D points.
void save_toy2d_scatter(const std::string& path, const torch::Tensor& samples, const DataConfig& data,
                        const png::TextChunks& provenance);

// The samples as (N, 2) float on the CPU; UserError when they are not 2-D points.
torch::Tensor toy2d_points(const torch::Tensor& samples);

}  // namespace gencli
