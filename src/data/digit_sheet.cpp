#include "data/digit_sheet.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/errors.h"
#include "io/png.h"

namespace gencli::digits {
namespace {

constexpr int kTilesPerRow = kSheetWidth / kTile;        // 100
constexpr int kRowsPerClass = kPerClass / kTilesPerRow;  // 5
constexpr int kMargin = (kPadded - kTile) / 2;           // 4

idx::LabeledImages empty_set(int count) {
  idx::LabeledImages set;
  set.images.dims = {count, kPadded, kPadded};
  set.images.data.reserve(size_t(count) * kPadded * kPadded);
  set.labels.dims = {count};
  set.labels.data.reserve(size_t(count));
  return set;
}

// Appends the tile at (tile_row, tile_col) of the gray sheet, padded to 28x28.
void append_tile(const png::Image& sheet, int tile_row, int tile_col, std::vector<uint8_t>& out) {
  const size_t start = out.size();
  out.resize(start + size_t(kPadded) * kPadded, 0);
  for (int y = 0; y < kTile; ++y) {
    const uint8_t* src =
        &sheet.pixels[size_t(tile_row * kTile + y) * kSheetWidth + size_t(tile_col) * kTile];
    uint8_t* dst = &out[start + size_t(y + kMargin) * kPadded + kMargin];
    std::copy(src, src + kTile, dst);
  }
}

png::Image load_sheet(const std::string& png_path) {
  png::Image sheet = png::read_png(png_path, 1);
  if (sheet.width != kSheetWidth || sheet.height != kSheetHeight) {
    throw DataError(png_path + ": is " + std::to_string(sheet.width) + "x" +
                    std::to_string(sheet.height) +
                    " pixels, expected OpenCV's digits.png of 2000x1000 (100x50 tiles of 20x20)");
  }
  return sheet;
}

}  // namespace

Split split_opencv_digit_sheet(const std::string& png_path, int test_per_class) {
  if (test_per_class < 0 || test_per_class >= kPerClass) {
    throw UserError("digit sheet: test_per_class must be 0.." + std::to_string(kPerClass - 1) +
                    ", got " + std::to_string(test_per_class));
  }
  const png::Image sheet = load_sheet(png_path);
  const int train_per_class = kPerClass - test_per_class;
  Split split{empty_set(10 * train_per_class), empty_set(10 * test_per_class)};
  for (int label = 0; label < 10; ++label) {
    for (int k = 0; k < kPerClass; ++k) {
      const int tile_row = label * kRowsPerClass + k / kTilesPerRow;
      const int tile_col = k % kTilesPerRow;
      idx::LabeledImages& set = k < train_per_class ? split.train : split.test;
      append_tile(sheet, tile_row, tile_col, set.images.data);
      set.labels.data.push_back(uint8_t(label));
    }
  }
  return split;
}

}  // namespace gencli::digits
