#include "io/image_grid.h"

#include "core/errors.h"

namespace gencli {

torch::Tensor make_grid(const torch::Tensor& images, int64_t nrow, int64_t padding) {
  TORCH_CHECK(images.dim() == 4, "make_grid expects (N, C, H, W)");
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  const int64_t cols = std::min(nrow, n), rows = (n + cols - 1) / cols;
  torch::Tensor grid = torch::zeros({rows * (h + padding) + padding, cols * (w + padding) + padding, c}, torch::kUInt8);
  torch::Tensor pixels = images.detach().to(torch::kCPU, torch::kFloat).clamp(0, 1).mul(255).round().to(torch::kUInt8);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t top = (i / cols) * (h + padding) + padding, left = (i % cols) * (w + padding) + padding;
    grid.slice(0, top, top + h).slice(1, left, left + w).copy_(pixels[i].permute({1, 2, 0}));
  }
  return grid;
}

torch::Tensor to_unit_range(const torch::Tensor& images, const std::string& range) {
  return range == "tanh" ? (images + 1) / 2 : images;
}

void save_grid_png(const std::string& path, const torch::Tensor& unit_images, int64_t nrow,
                   const png::TextChunks& provenance) {
  torch::Tensor grid = make_grid(unit_images, nrow).contiguous();
  const int64_t channels = grid.size(2);
  if (channels != 1 && channels != 3)
    throw UserError("cannot write " + path + ": images have " + std::to_string(channels) + " channels (need 1 or 3)");
  png::write_png(path, static_cast<int>(grid.size(1)), static_cast<int>(grid.size(0)), static_cast<int>(channels),
                 grid.data_ptr<uint8_t>(), provenance);
}

}  // namespace gencli
