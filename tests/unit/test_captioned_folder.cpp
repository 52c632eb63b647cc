// data.type "captioned_folder": each image's caption from its same-named .txt file (lines
// joined, ends trimmed), captions that follow the image through shuffled batches, and a
// missing or empty caption named in the error.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "core/errors.h"
#include "data/captioned_folder.h"
#include "io/png.h"

using namespace gencli;
namespace fs = std::filesystem;

namespace {

class CaptionedFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/gencli_captioned_folder_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // An 8x8 grey image of `value` and, unless caption is null, its caption file.
  void write(const std::string& stem, uint8_t value, const char* caption) {
    std::vector<uint8_t> px(64, value);
    png::write_png((dir_ / (stem + ".png")).string(), 8, 8, 1, px.data());
    if (caption) std::ofstream(dir_ / (stem + ".txt")) << caption;
  }

  DataConfig config() const {
    DataConfig c;
    c.type = "captioned_folder";
    c.root = dir_.string();
    c.image_size = 8;
    c.channels = 1;
    c.range = "unit";
    c.test_fraction = 0.25;
    return c;
  }

  fs::path dir_;
};

}  // namespace

TEST_F(CaptionedFolder, EachImageHasItsCaption) {
  write("a", 0, "a dark square\n");
  write("b", 85, "  a grey\nsquare  \r\n");
  write("c", 170, "a light square");
  write("d", 255, "a white square");
  const ImageDataset train = load_captioned_folder(config(), Split::Train);
  const ImageDataset test = load_captioned_folder(config(), Split::Test);
  // Every 4th file in path order is the test split: a.
  ASSERT_EQ(test.captions, (std::vector<std::string>{"a dark square"}));
  ASSERT_EQ(train.captions, (std::vector<std::string>{"a grey square", "a light square", "a white square"}));
  // Captions travel with their images through shuffled batches.
  ShuffledBatches batches(train, 3, 7);
  const Batch b = batches.next();
  ASSERT_EQ(b.captions.size(), 3u);
  for (int64_t i = 0; i < 3; ++i) {
    const int64_t level = std::lround(b.images[i].mean().item<double>() * 3);  // 1, 2 or 3
    EXPECT_EQ(b.captions[static_cast<size_t>(i)], train.captions[static_cast<size_t>(level - 1)]);
  }
  // In order too (validation, eval), with no canvas cells to carry.
  SequentialBatches in_order(train, 2);
  const Batch first = in_order.next();
  EXPECT_EQ(first.captions, (std::vector<std::string>{"a grey square", "a light square"}));
  EXPECT_FALSE(first.cells.defined());
}

TEST_F(CaptionedFolder, AMissingOrEmptyCaptionIsNamed) {
  write("a", 0, "fine");
  write("b", 10, nullptr);
  try {
    load_captioned_folder(config(), Split::Train);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("b.png"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("b.txt"), std::string::npos) << e.what();
  }
  std::ofstream(dir_ / "b.txt") << " \n ";
  try {
    load_captioned_folder(config(), Split::Train);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos) << e.what();
  }
}
