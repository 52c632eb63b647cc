#pragma once
// A scatter plot of 2-D points as a PNG: white background, light grey axes through 0 when
// they are in view, each point a small dark dot, optional markers (e.g. the true modes) as
// small red crosses on top. Fixed axes, so plots of different runs compare at a glance.
#include <array>
#include <cstdint>
#include <vector>

#include "io/png.h"

namespace gencli {

struct ScatterAxes {
  float lo = -1.2f, hi = 1.2f;  // the same range on x and y; y points up
  int pixels = 512;             // the plot is pixels x pixels
};

// RGB bytes, row-major, axes.pixels^2 * 3. Points outside the axes are left out.
std::vector<uint8_t> render_scatter(const std::vector<std::array<float, 2>>& points,
                                    const std::vector<std::array<float, 2>>& markers, const ScatterAxes& axes);

void save_scatter_png(const std::string& path, const std::vector<std::array<float, 2>>& points,
                      const std::vector<std::array<float, 2>>& markers, const ScatterAxes& axes,
                      const png::TextChunks& provenance);

}  // namespace gencli
