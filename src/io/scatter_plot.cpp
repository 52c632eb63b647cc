#include "io/scatter_plot.h"

#include <cmath>

namespace gencli {

namespace {

using Rgb = std::array<uint8_t, 3>;

class Canvas {
 public:
  explicit Canvas(int size) : size_(size), rgb_(static_cast<size_t>(size) * size * 3, 255) {}

  void set(int x, int y, const Rgb& c) {
    if (x < 0 || y < 0 || x >= size_ || y >= size_) return;
    const size_t at = (static_cast<size_t>(y) * size_ + x) * 3;
    for (int i = 0; i < 3; ++i) rgb_[at + i] = c[i];
  }
  std::vector<uint8_t>& bytes() { return rgb_; }

 private:
  int size_;
  std::vector<uint8_t> rgb_;
};

// Pixel column (x) or row (y, flipped so larger values are higher) of a coordinate.
int to_pixel(float v, const ScatterAxes& a, bool vertical) {
  const float t = (v - a.lo) / (a.hi - a.lo);
  const float p = (vertical ? 1.f - t : t) * static_cast<float>(a.pixels);
  return static_cast<int>(std::floor(p));
}

bool in_view(float v, const ScatterAxes& a) { return std::isfinite(v) && v >= a.lo && v <= a.hi; }

}  // namespace

std::vector<uint8_t> render_scatter(const std::vector<std::array<float, 2>>& points,
                                    const std::vector<std::array<float, 2>>& markers, const ScatterAxes& axes) {
  Canvas canvas(axes.pixels);
  const Rgb axis_grey{220, 220, 220}, dot{30, 30, 30}, red{220, 30, 30};
  if (axes.lo < 0 && axes.hi > 0) {
    const int zx = to_pixel(0, axes, false), zy = to_pixel(0, axes, true);
    for (int i = 0; i < axes.pixels; ++i) {
      canvas.set(zx, i, axis_grey);
      canvas.set(i, zy, axis_grey);
    }
  }
  // 2x2 dots: visible at 512 px, yet dense clusters still show their shape.
  for (const auto& p : points) {
    if (!in_view(p[0], axes) || !in_view(p[1], axes)) continue;
    const int x = to_pixel(p[0], axes, false), y = to_pixel(p[1], axes, true);
    for (int dy = 0; dy < 2; ++dy)
      for (int dx = 0; dx < 2; ++dx) canvas.set(x + dx, y + dy, dot);
  }
  // Crosses 9 px wide, 2 px thick, drawn last so they stay visible inside dense modes.
  for (const auto& m : markers) {
    if (!in_view(m[0], axes) || !in_view(m[1], axes)) continue;
    const int x = to_pixel(m[0], axes, false), y = to_pixel(m[1], axes, true);
    for (int d = -4; d <= 4; ++d)
      for (int t = 0; t < 2; ++t) {
        canvas.set(x + d, y + d + t, red);
        canvas.set(x + d, y - d + t, red);
      }
  }
  return std::move(canvas.bytes());
}

void save_scatter_png(const std::string& path, const std::vector<std::array<float, 2>>& points,
                      const std::vector<std::array<float, 2>>& markers, const ScatterAxes& axes,
                      const png::TextChunks& provenance) {
  const std::vector<uint8_t> rgb = render_scatter(points, markers, axes);
  png::write_png(path, axes.pixels, axes.pixels, 3, rgb.data(), provenance);
}

}  // namespace gencli
