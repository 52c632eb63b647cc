// Splitting OpenCV's digit sheet, checked on a synthetic sheet where every pixel says
// which tile it came from.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/errors.h"
#include "data/digit_sheet.h"
#include "io/png.h"

namespace gencli::digits {
namespace {

namespace fs = std::filesystem;

// Pixel (x, y) inside tile (row, col): never 0, and differs between neighbouring tiles and
// positions, so a tile placed wrongly or shifted by a pixel is caught.
uint8_t tile_pixel(int row, int col, int x, int y) {
  return uint8_t(1 + (row * 100 + col + x * 3 + y * 61) % 255);
}

class DigitSheet : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = ::testing::TempDir() + "/gencli_digits_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = new std::string(tmpl);
    std::vector<uint8_t> sheet(size_t(kSheetWidth) * kSheetHeight);
    for (int py = 0; py < kSheetHeight; ++py) {
      for (int px = 0; px < kSheetWidth; ++px) {
        sheet[size_t(py) * kSheetWidth + size_t(px)] =
            tile_pixel(py / 20, px / 20, px % 20, py % 20);
      }
    }
    png::write_png(sheet_path(), kSheetWidth, kSheetHeight, 1, sheet.data());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::string sheet_path() { return *dir_ + "/digits.png"; }

  // Checks that image i of images is tile (row, col) with a 4-pixel black border.
  static void expect_tile(const idx::IdxArray& images, size_t i, int row, int col) {
    const uint8_t* img = &images.data[i * 28 * 28];
    for (int y = 0; y < 28; ++y) {
      for (int x = 0; x < 28; ++x) {
        const bool inside = x >= 4 && x < 24 && y >= 4 && y < 24;
        const uint8_t want = inside ? tile_pixel(row, col, x - 4, y - 4) : 0;
        ASSERT_EQ(img[y * 28 + x], want) << "image " << i << " pixel (" << x << "," << y
                                         << ") should come from tile row " << row << " col " << col;
      }
    }
  }

  static std::string* dir_;
};

std::string* DigitSheet::dir_ = nullptr;

TEST_F(DigitSheet, DefaultSplitIs4500Train500Test) {
  const Split s = split_opencv_digit_sheet(sheet_path());
  EXPECT_EQ(s.train.images.dims, (std::vector<int64_t>{4500, 28, 28}));
  EXPECT_EQ(s.train.labels.dims, (std::vector<int64_t>{4500}));
  EXPECT_EQ(s.test.images.dims, (std::vector<int64_t>{500, 28, 28}));
  EXPECT_EQ(s.test.labels.dims, (std::vector<int64_t>{500}));
  EXPECT_EQ(s.train.images.data.size(), 4500u * 784);
  EXPECT_EQ(s.test.images.data.size(), 500u * 784);
  std::vector<int> train_count(10), test_count(10);
  for (uint8_t l : s.train.labels.data) train_count.at(l)++;
  for (uint8_t l : s.test.labels.data) test_count.at(l)++;
  EXPECT_EQ(train_count, std::vector<int>(10, 450));
  EXPECT_EQ(test_count, std::vector<int>(10, 50));
}

TEST_F(DigitSheet, TilesMapToLabelsByRowBand) {
  const Split s = split_opencv_digit_sheet(sheet_path());
  // Train: 450 per class in reading order, class c starting at sheet row 5c.
  EXPECT_EQ(s.train.labels.data[0], 0);
  expect_tile(s.train.images, 0, 0, 0);
  expect_tile(s.train.images, 1, 0, 1);
  expect_tile(s.train.images, 100, 1, 0);
  EXPECT_EQ(s.train.labels.data[449], 0);
  expect_tile(s.train.images, 449, 4, 49);  // last training zero
  EXPECT_EQ(s.train.labels.data[450], 1);
  expect_tile(s.train.images, 450, 5, 0);  // first one
  EXPECT_EQ(s.train.labels.data[4499], 9);
  expect_tile(s.train.images, 4499, 49, 49);
  // Test: the last 50 of each class, i.e. the right half of its fifth row.
  EXPECT_EQ(s.test.labels.data[0], 0);
  expect_tile(s.test.images, 0, 4, 50);
  expect_tile(s.test.images, 49, 4, 99);
  EXPECT_EQ(s.test.labels.data[50], 1);
  expect_tile(s.test.images, 50, 9, 50);
  EXPECT_EQ(s.test.labels.data[499], 9);
  expect_tile(s.test.images, 499, 49, 99);
  for (size_t i = 0; i < 500; ++i) ASSERT_EQ(s.test.labels.data[i], i / 50);
  for (size_t i = 0; i < 4500; ++i) ASSERT_EQ(s.train.labels.data[i], i / 450);
}

TEST_F(DigitSheet, CustomTestSize) {
  const Split s = split_opencv_digit_sheet(sheet_path(), 100);
  EXPECT_EQ(s.train.images.dims[0], 4000);
  EXPECT_EQ(s.test.images.dims[0], 1000);
  expect_tile(s.test.images, 0, 4, 0);
  expect_tile(s.train.images, 399, 3, 99);
  const Split none = split_opencv_digit_sheet(sheet_path(), 0);
  EXPECT_EQ(none.train.images.dims[0], 5000);
  EXPECT_EQ(none.test.images.dims, (std::vector<int64_t>{0, 28, 28}));
  EXPECT_THROW(split_opencv_digit_sheet(sheet_path(), 500), UserError);
  EXPECT_THROW(split_opencv_digit_sheet(sheet_path(), -1), UserError);
}

TEST_F(DigitSheet, WrongSizeSaysWhatWasExpected) {
  const std::string path = *dir_ + "/small.png";
  const std::vector<uint8_t> px(100 * 50, 0);
  png::write_png(path, 100, 50, 1, px.data());
  try {
    split_opencv_digit_sheet(path);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path + ": is 100x50 pixels"), std::string::npos) << msg;
    EXPECT_NE(msg.find("2000x1000"), std::string::npos) << msg;
  }
}

TEST_F(DigitSheet, MissingFileNamesThePath) {
  const std::string path = *dir_ + "/nope.png";
  try {
    split_opencv_digit_sheet(path);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gencli::digits
