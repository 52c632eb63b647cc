#pragma once
// `data.type: "toy2d"`: small 2-D distributions for watching a generative model cover (or
// collapse onto) a few modes. Points are stored as (N, 2, 1, 1) images so every family's MLP
// takes them as 2-channel 1x1 images. In the "tanh" range every point lies within about
// [-1, 1]; "unit" maps p to (p + 1) / 2.
//
//   ring8       8 Gaussians on a circle of radius 0.8 (the classic GAN mode-collapse test); labels 0..7
//   grid25      a 5x5 grid of Gaussians at -0.8, -0.4, ..., 0.8 on both axes; labels 0..24 (row-major)
//   swiss_roll  a 2-D Swiss roll scaled into [-0.9, 0.9]; label 0
//   two_moons   two interleaved half circles; labels 0 (upper) and 1 (lower)
#include "core/torch_api.h"

#include <array>
#include <string>
#include <vector>

#include "data/image_dataset.h"

namespace gencli {

// How many labelled components the distribution has (data.num_classes must be at least this).
int64_t toy2d_components(const std::string& toy);

// Draws n points (n, 2) in the "tanh" range and their component labels (n), reproducibly from seed.
ImageDataset toy2d_draw(const std::string& toy, int64_t n, uint64_t seed);

// The training split draws data.toy_points points with seed 2*toy_seed, the test split a
// quarter as many with seed 2*toy_seed + 1. Throws ConfigError naming data.num_classes when it
// is smaller than the number of components.
ImageDataset load_toy2d(const DataConfig& config, Split split);

// The Gaussian centres of ring8 and grid25 in the given data range; empty for the others.
std::vector<std::array<float, 2>> toy2d_mode_centres(const std::string& toy, const std::string& range);

// The standard deviation of each Gaussian mode in the given data range (0 for toys without modes).
float toy2d_mode_std(const std::string& toy, const std::string& range);

struct ToyCoverage {
  int64_t modes_total = 0;
  int64_t modes_covered = 0;    // modes nearest to at least 1% of the samples
  double mean_distance = 0.0;   // from each sample to its nearest centre
  double high_quality = 0.0;    // fraction of samples within 3 std of a centre
};

// Scores samples (N, 2) in the data range against the modes of ring8 or grid25 (each sample
// counts for its nearest centre). Throws UserError for toys without modes.
ToyCoverage toy2d_coverage(const torch::Tensor& points, const std::string& toy, const std::string& range);

}  // namespace gencli
