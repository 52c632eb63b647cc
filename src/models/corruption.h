#pragma once
// Damaged images for restoration and completion demos: Gaussian noise or a masked region,
// and the PSNR that scores a repair. Everything here works on images in [0, 1].
#include "core/torch_api.h"

#include <string>

namespace gencli {

struct Corruption {
  enum class Kind { Noise, Mask };
  Kind kind = Kind::Noise;
  double sigma = 0.5;          // noise: standard deviation in [0, 1] pixel units
  std::string region;          // mask: one of mask_regions()
};

// "center, bottom, top, left, right": the regions a mask can hide.
std::string mask_regions();

// Parses "noise:SIGMA" or "mask:REGION"; throws UserError naming `flag` and the value.
Corruption parse_corruption(const std::string& spec, const std::string& flag = "--corrupt");

// 1 where a pixel is known, 0 where the region hides it: (1, 1, height, width) float.
// center: the middle half in each direction; bottom/top/left/right: that half of the image.
torch::Tensor known_pixels(const std::string& region, int64_t height, int64_t width);

// Noise: x + sigma * N(0, 1), clamped to [0, 1]. Mask: hidden pixels set to mid-grey (0.5),
// so the hole is visible on both dark and light backgrounds.
torch::Tensor corrupt(const torch::Tensor& unit_images, const Corruption& c, const torch::Generator& generator);

// Peak signal-to-noise ratio of each image against its reference, in dB: 10 log10(1 / MSE).
torch::Tensor psnr(const torch::Tensor& images, const torch::Tensor& reference);

}  // namespace gencli
