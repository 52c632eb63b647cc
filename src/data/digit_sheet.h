#pragma once
// OpenCV's sample digit sheet (samples/data/digits.png) as a small MNIST stand-in that
// needs no download: a 2000x1000 gray PNG of 5000 handwritten digits in 20x20 tiles,
// 100 per row, 50 rows, 5 rows per class 0..9 (rows 0-4 are zeros, 5-9 ones, ...),
// white digit on black like MNIST.
#include <string>

#include "data/idx.h"

namespace gencli::digits {

inline constexpr int kSheetWidth = 2000;
inline constexpr int kSheetHeight = 1000;
inline constexpr int kTile = 20;    // tile side in the sheet
inline constexpr int kPadded = 28;  // tile side after padding, as in MNIST
inline constexpr int kPerClass = 500;

struct Split {
  idx::LabeledImages train, test;
};

// Cuts the sheet into 28x28 images (each 20x20 tile centred with 4 black pixels on every
// side). Per class, the last test_per_class digits in reading order go to test, the rest
// to train, so the default gives 4500 train / 500 test. Both sets are ordered by class,
// then by position in the sheet. Throws DataError naming the path if the image is not
// 2000x1000, UserError if test_per_class is outside 0..499.
Split split_opencv_digit_sheet(const std::string& png_path, int test_per_class = 50);

}  // namespace gencli::digits
