// data.type "image_folder": resizing and cropping, grayscale vs RGB, class sub-folders,
// the deterministic split and every error path, on small PNGs written to a temp folder.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "core/config.h"
#include "models/config_loading.h"
#include "core/errors.h"
#include "error_message.h"
#include "data/image_folder.h"
#include "data/image_resize.h"
#include "io/png.h"

using namespace gencli;
namespace fs = std::filesystem;

namespace {

class ImageFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/gencli_image_folder_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes a w x h PNG whose channel values come from pixel(x, y, channel).
  std::string write(const std::string& name, int w, int h, int channels,
                    const std::function<uint8_t(int, int, int)>& pixel) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::vector<uint8_t> px(size_t(w) * h * channels);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        for (int c = 0; c < channels; ++c) px[(size_t(y) * w + x) * channels + c] = pixel(x, y, c);
    png::write_png(path.string(), w, h, channels, px.data());
    return path.string();
  }
  std::string write_flat(const std::string& name, uint8_t value, int w = 8, int h = 8) {
    return write(name, w, h, 1, [value](int, int, int) { return value; });
  }

  DataConfig config(int64_t size = 8, int64_t channels = 1) const {
    DataConfig c;
    c.type = "image_folder";
    c.root = dir_.string();
    c.image_size = size;
    c.channels = channels;
    c.range = "unit";
    return c;
  }

  template <class E>
  std::string error_of(const DataConfig& c, Split split = Split::Train) {
    return error_message<E>([&] { load_image_folder(c, split); });
  }

  fs::path dir_;
};

}  // namespace

TEST(ImageResize, ShorterSideBecomesSizeThenCentreCrop) {
  // Column index as the value: no resize (height already 4), the crop keeps columns 2..5.
  torch::Tensor wide = torch::arange(8, torch::kFloat).view({1, 1, 8}).expand({1, 4, 8});
  torch::Tensor out = resize_and_center_crop(wide, 4);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{1, 4, 4}));
  EXPECT_TRUE(out[0][0].equal(torch::tensor({2.f, 3.f, 4.f, 5.f})));
  // A tall RGB image keeps its channels and ends up square.
  EXPECT_EQ(resize_and_center_crop(torch::rand({3, 40, 20}), 16).sizes(), (std::vector<int64_t>{3, 16, 16}));
}

TEST(ImageResize, ShrinkingAveragesAndEnlargingInterpolates) {
  // Alternating 0/255 columns halve to their average: area resampling, no aliasing.
  torch::Tensor stripes = (torch::arange(4, torch::kFloat).remainder(2) * 255).view({1, 1, 4}).expand({1, 4, 4});
  torch::Tensor half = resize_and_center_crop(stripes, 2);
  EXPECT_TRUE(torch::allclose(half, torch::full({1, 2, 2}, 127.5)));
  // Enlarging stays within the input's values and keeps a constant image constant.
  torch::Tensor small = torch::tensor({0.f, 100.f, 200.f, 255.f}).view({1, 2, 2});
  torch::Tensor big = resize_and_center_crop(small, 6);
  EXPECT_EQ(big.sizes(), (std::vector<int64_t>{1, 6, 6}));
  EXPECT_GE(big.min().item<float>(), 0.f);
  EXPECT_LE(big.max().item<float>(), 255.f);
  EXPECT_TRUE(torch::allclose(resize_and_center_crop(torch::full({1, 3, 3}, 7.f), 5), torch::full({1, 5, 5}, 7.f)));
}

TEST_F(ImageFolder, GrayscaleIsLuminanceAndRgbKeepsChannels) {
  write("a_red.png", 12, 10, 3, [](int, int, int c) { return c == 0 ? 255 : 0; });
  write("b_red.png", 12, 10, 3, [](int, int, int c) { return c == 0 ? 255 : 0; });
  ImageDataset rgb = load_image_folder(config(8, 3), Split::Train);  // b_red (a_red is the test file)
  ASSERT_EQ(rgb.images.sizes(), (std::vector<int64_t>{1, 3, 8, 8}));
  EXPECT_TRUE(torch::allclose(rgb.images[0][0], torch::ones({8, 8})));
  EXPECT_TRUE(torch::allclose(rgb.images[0][1], torch::zeros({8, 8})));
  ImageDataset gray = load_image_folder(config(8, 1), Split::Train);
  ASSERT_EQ(gray.images.sizes(), (std::vector<int64_t>{1, 1, 8, 8}));
  // Red weighs about 0.3 in luminance.
  const float y = gray.images[0][0][0][0].item<float>();
  EXPECT_GT(y, 0.25f);
  EXPECT_LT(y, 0.35f);
}

TEST_F(ImageFolder, MixedSizesBecomeOneSquareSizeInTheRange) {
  write_flat("a.png", 0, 30, 20);
  write_flat("b.png", 255, 5, 9);
  write_flat("c.png", 128, 16, 16);
  DataConfig c = config(16);
  c.range = "tanh";
  c.test_fraction = 0.5;  // a and c are test files, b trains
  ImageDataset test = load_image_folder(c, Split::Test);
  ASSERT_EQ(test.images.sizes(), (std::vector<int64_t>{2, 1, 16, 16}));
  EXPECT_TRUE(torch::allclose(test.images[0], torch::full({1, 16, 16}, -1.f)));
  ImageDataset train = load_image_folder(c, Split::Train);
  EXPECT_TRUE(torch::allclose(train.images[0], torch::full({1, 16, 16}, 1.f)));
}

TEST_F(ImageFolder, ClassSubFoldersGiveSortedLabels) {
  for (int i = 0; i < 3; ++i) write_flat("zebra/" + std::to_string(i) + ".png", 10);
  for (int i = 0; i < 2; ++i) write_flat("ant/deeper/" + std::to_string(i) + ".png", 20);  // recursive
  std::ofstream(dir_ / "README.txt") << "not an image";
  const ImageFolderListing listing = list_image_folder(dir_.string());
  EXPECT_EQ(listing.classes, (std::vector<std::string>{"ant", "zebra"}));
  ASSERT_EQ(listing.files.size(), 5u);
  DataConfig c = config();
  c.num_classes = 2;
  c.test_fraction = 0.5;
  ImageDataset train = load_image_folder(c, Split::Train), test = load_image_folder(c, Split::Test);
  EXPECT_EQ(train.size() + test.size(), 5);
  EXPECT_TRUE(test.labels.equal(torch::tensor({0, 1, 1}, torch::kLong)));  // files 0, 2, 4 of ant0 ant1 z0 z1 z2
  EXPECT_TRUE(train.labels.equal(torch::tensor({0, 1}, torch::kLong)));

  c.num_classes = 10;
  const std::string e = error_of<ConfigError>(c);
  EXPECT_NE(e.find("data.num_classes"), std::string::npos) << e;
  EXPECT_NE(e.find("2 class folders"), std::string::npos) << e;
}

TEST_F(ImageFolder, ImagesAtTheTopAreUnlabelled) {
  write_flat("x.png", 1);
  write_flat("sub/y.png", 2);
  const ImageFolderListing listing = list_image_folder(dir_.string());
  EXPECT_TRUE(listing.classes.empty());
  ASSERT_EQ(listing.files.size(), 2u);
  for (const auto& f : listing.files) EXPECT_EQ(f.label, 0);
}

TEST_F(ImageFolder, SplitTakesEveryKthFileForTesting) {
  std::vector<ImageFile> files;
  for (int i = 0; i < 10; ++i) files.push_back({"f" + std::to_string(i), 0});
  auto names = [](const std::vector<ImageFile>& fs) {
    std::string s;
    for (const auto& f : fs) s += f.path + " ";
    return s;
  };
  EXPECT_EQ(names(split_files(files, 0.25, Split::Test)), "f0 f4 f8 ");
  EXPECT_EQ(names(split_files(files, 0.25, Split::Train)), "f1 f2 f3 f5 f6 f7 f9 ");
  EXPECT_EQ(split_files(files, 0.1, Split::Test).size(), 1u);
  EXPECT_EQ(split_files(files, 0.5, Split::Test).size(), 5u);
}

TEST_F(ImageFolder, LimitCutsTheTrainingSplit) {
  for (int i = 0; i < 6; ++i) write_flat(std::to_string(i) + ".png", 9);
  DataConfig c = config();
  c.limit = 2;
  EXPECT_EQ(load_image_folder(c, Split::Train).size(), 2);
  EXPECT_EQ(load_image_folder(c, Split::Test).size(), 1);
}

TEST_F(ImageFolder, ErrorsNameTheFolderOrFile) {
  DataConfig missing = config();
  missing.root = (dir_ / "nope").string();
  EXPECT_NE(error_of<DataError>(missing).find("nope: not a folder"), std::string::npos);

  std::ofstream(dir_ / "notes.txt") << "hello";
  std::string e = error_of<DataError>(config());
  EXPECT_NE(e.find(dir_.string() + ": no PNG or JPEG images found"), std::string::npos) << e;

  write_flat("one.png", 3);
  e = error_of<DataError>(config());
  EXPECT_NE(e.find("need at least 2"), std::string::npos) << e;

  std::ofstream(dir_ / "two.png") << "not really a png";
  e = error_of<DataError>(config());
  EXPECT_NE(e.find("two.png"), std::string::npos) << e;
  EXPECT_NE(e.find("cannot decode"), std::string::npos) << e;
}

TEST_F(ImageFolder, EmptyClassFolderIsAnError) {
  write_flat("a/1.png", 3);
  fs::create_directories(dir_ / "b");
  const std::string e = error_of<DataError>(config());
  EXPECT_NE(e.find("class folder b has no PNG or JPEG images"), std::string::npos) << e;
}

TEST(ImageFolderConfig, NewKeysAreChecked) {
  auto error = [](const nlohmann::json& data) -> std::string {
    try {
      config_from_json({{"model", {{"type", "gan"}}}, {"data", data}});
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_EQ(error({{"type", "image_folder"}, {"channels", 3}, {"image_size", 16}, {"test_fraction", 0.5}}),
            "(no error)");
  EXPECT_NE(error({{"channels", 2}}).find("data.channels: expected 1 or 3"), std::string::npos);
  EXPECT_NE(error({{"test_fraction", 0.6}}).find("data.test_fraction"), std::string::npos);
  EXPECT_NE(error({{"test_fraction", 0}}).find("data.test_fraction"), std::string::npos);
  EXPECT_NE(error({{"image_size", 0}}).find("data.image_size"), std::string::npos);
}
