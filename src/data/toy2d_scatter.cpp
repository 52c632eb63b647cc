#include "data/toy2d_scatter.h"

#include "core/errors.h"
#include "data/toy2d.h"
#include "io/scatter_plot.h"

namespace gencli {

torch::Tensor toy2d_points(const torch::Tensor& samples) {
  if (samples.dim() < 2 || samples.numel() != samples.size(0) * 2) {
    std::string shape;
    for (int64_t s : samples.sizes()) shape += (shape.empty() ? "" : ", ") + std::to_string(s);
    throw UserError("data.type \"toy2d\" expects the model to draw (N, 2, 1, 1) points, got (" + shape + ")");
  }
  return samples.detach().to(torch::kCPU, torch::kFloat).reshape({samples.size(0), 2}).contiguous();
}

void save_toy2d_scatter(const std::string& path, const torch::Tensor& samples, const DataConfig& data,
                        const png::TextChunks& provenance) {
  torch::Tensor xy = toy2d_points(samples);
  const float* p = xy.data_ptr<float>();
  std::vector<std::array<float, 2>> points(static_cast<size_t>(xy.size(0)));
  for (size_t i = 0; i < points.size(); ++i) points[i] = {p[2 * i], p[2 * i + 1]};
  ScatterAxes axes;
  if (data.range == "unit") {  // [-1.2, 1.2] mapped by (p + 1) / 2
    axes.lo = -0.1f;
    axes.hi = 1.1f;
  }
  save_scatter_png(path, points, toy2d_mode_centres(data.toy, data.range), axes, provenance);
}

}  // namespace gencli
