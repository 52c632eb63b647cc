#include "data/image_resize.h"

#include <cmath>

namespace gencli {

namespace {

// (C, H, W) -> (C, h, w). Shrinking averages each output pixel's source window (adaptive
// pooling, i.e. area resampling, so thin strokes do not alias away); enlarging is bilinear.
torch::Tensor resize(const torch::Tensor& image, int64_t h, int64_t w) {
  if (h == image.size(1) && w == image.size(2)) return image;
  torch::Tensor batch = image.unsqueeze(0);
  if (h <= image.size(1) && w <= image.size(2))
    return torch::adaptive_avg_pool2d(batch, {h, w}).squeeze(0);
  namespace F = torch::nn::functional;
  return F::interpolate(batch, F::InterpolateFuncOptions()
                                   .size(std::vector<int64_t>{h, w})
                                   .mode(torch::kBilinear)
                                   .align_corners(false))
      .squeeze(0);
}

}  // namespace

torch::Tensor resize_and_center_crop(const torch::Tensor& image, int64_t size) {
  TORCH_CHECK(image.dim() == 3 && size > 0, "resize_and_center_crop expects (C, H, W) and a positive size");
  const int64_t h = image.size(1), w = image.size(2);
  const double scale = static_cast<double>(size) / static_cast<double>(std::min(h, w));
  // The shorter side becomes exactly `size`; the longer keeps the aspect ratio.
  const int64_t new_h = h <= w ? size : std::max<int64_t>(size, std::llround(static_cast<double>(h) * scale));
  const int64_t new_w = w < h ? size : std::max<int64_t>(size, std::llround(static_cast<double>(w) * scale));
  torch::Tensor resized = resize(image, new_h, new_w);
  const int64_t top = (new_h - size) / 2, left = (new_w - size) / 2;
  return resized.slice(1, top, top + size).slice(2, left, left + size).contiguous();
}

}  // namespace gencli
