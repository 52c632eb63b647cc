// data.type "toy2d": shapes, ranges, labels and reproducibility of the four distributions,
// the coverage metric on hand-made points, and the scatter plot.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/config.h"
#include "models/config_loading.h"
#include "core/errors.h"
#include "data/toy2d.h"
#include "data/toy2d_scatter.h"
#include "io/png.h"
#include "io/scatter_plot.h"

using namespace gencli;
namespace fs = std::filesystem;

namespace {

DataConfig toy(const std::string& name, const std::string& range = "tanh") {
  DataConfig c;
  c.type = "toy2d";
  c.toy = name;
  c.range = range;
  c.num_classes = 25;
  c.toy_points = 400;
  return c;
}

torch::Tensor points_at(const std::vector<std::array<float, 2>>& centres, const std::vector<int>& which) {
  std::vector<float> flat;
  for (int k : which) flat.insert(flat.end(), {centres[k][0], centres[k][1]});
  return torch::tensor(flat).view({-1, 2});
}

}  // namespace

TEST(Toy2d, EveryToyHasShapeRangeAndLabels) {
  for (const std::string name : {"ring8", "grid25", "swiss_roll", "two_moons"}) {
    SCOPED_TRACE(name);
    ImageDataset train = load_toy2d(toy(name), Split::Train);
    ASSERT_EQ(train.images.sizes(), (std::vector<int64_t>{400, 2, 1, 1}));
    ASSERT_EQ(train.labels.sizes(), (std::vector<int64_t>{400}));
    EXPECT_EQ(train.images.dtype(), torch::kFloat);
    EXPECT_EQ(train.labels.dtype(), torch::kLong);
    EXPECT_LE(train.images.abs().max().item<float>(), 1.0f);
    EXPECT_GE(train.labels.min().item<int64_t>(), 0);
    EXPECT_EQ(train.labels.max().item<int64_t>(), toy2d_components(name) - 1);  // 400 draws hit every component
    ImageDataset unit = load_toy2d(toy(name, "unit"), Split::Train);
    EXPECT_TRUE(torch::allclose(unit.images, (train.images + 1) / 2));
    EXPECT_GE(unit.images.min().item<float>(), 0.f);
    EXPECT_LE(unit.images.max().item<float>(), 1.f);
  }
}

TEST(Toy2d, Ring8PointsSitAtTheirLabelsCentre) {
  ImageDataset d = load_toy2d(toy("ring8"), Split::Train);
  const auto centres = toy2d_mode_centres("ring8", "tanh");
  ASSERT_EQ(centres.size(), 8u);
  EXPECT_NEAR(std::hypot(centres[3][0], centres[3][1]), 0.8, 1e-6);
  torch::Tensor xy = d.images.view({-1, 2});
  for (int64_t i = 0; i < 50; ++i) {
    const auto& c = centres[static_cast<size_t>(d.labels[i].item<int64_t>())];
    const double dist = std::hypot(xy[i][0].item<float>() - c[0], xy[i][1].item<float>() - c[1]);
    EXPECT_LT(dist, 5 * toy2d_mode_std("ring8", "tanh"));
  }
  EXPECT_FLOAT_EQ(toy2d_mode_std("ring8", "unit"), toy2d_mode_std("ring8", "tanh") / 2);
  EXPECT_EQ(toy2d_mode_centres("grid25", "tanh").size(), 25u);
  EXPECT_TRUE(toy2d_mode_centres("two_moons", "tanh").empty());
  const auto unit = toy2d_mode_centres("grid25", "unit");
  EXPECT_FLOAT_EQ(unit[0][0], 0.1f);
  EXPECT_FLOAT_EQ(unit[24][1], 0.9f);
}

TEST(Toy2d, TheSeedMakesTheDataSet) {
  DataConfig c = toy("grid25");
  ImageDataset a = load_toy2d(c, Split::Train), b = load_toy2d(c, Split::Train);
  EXPECT_TRUE(a.images.equal(b.images));
  EXPECT_TRUE(a.labels.equal(b.labels));
  ImageDataset test = load_toy2d(c, Split::Test);
  EXPECT_EQ(test.size(), 100);  // a quarter of toy_points
  EXPECT_FALSE(test.images.equal(a.images.slice(0, 0, 100)));
  c.toy_seed = 1;
  EXPECT_FALSE(load_toy2d(c, Split::Train).images.equal(a.images));
  c.limit = 50;
  EXPECT_EQ(load_toy2d(c, Split::Train).size(), 50);
}

TEST(Toy2d, TooFewClassesIsAConfigError) {
  DataConfig c = toy("grid25");
  c.num_classes = 10;
  try {
    load_toy2d(c, Split::Train);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("data.num_classes"), std::string::npos) << e.what();
  }
  c.toy = "ring8";
  EXPECT_NO_THROW(load_toy2d(c, Split::Train));
}

TEST(Toy2d, ConfigKeysAreChecked) {
  auto error = [](const nlohmann::json& data) -> std::string {
    try {
      config_from_json({{"model", {{"type", "gan"}}}, {"data", data}});
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_EQ(error({{"type", "toy2d"}, {"toy", "two_moons"}, {"toy_points", 100}, {"toy_seed", 3}}), "(no error)");
  EXPECT_NE(error({{"toy", "spiral"}}).find("data.toy: expected one of"), std::string::npos);
  EXPECT_NE(error({{"toy_points", 99}}).find("data.toy_points"), std::string::npos);
  EXPECT_NE(error({{"toy_seed", -1}}).find("data.toy_seed"), std::string::npos);
}

TEST(Toy2d, CoverageCountsModesDistanceAndQuality) {
  const auto centres = toy2d_mode_centres("ring8", "tanh");
  ToyCoverage c = toy2d_coverage(points_at(centres, {0, 0, 3, 5, 5, 5}), "ring8", "tanh");
  EXPECT_EQ(c.modes_total, 8);
  EXPECT_EQ(c.modes_covered, 3);
  EXPECT_NEAR(c.mean_distance, 0.0, 1e-6);
  EXPECT_DOUBLE_EQ(c.high_quality, 1.0);

  // Everything at the origin: one nearest mode (ties go to the first), 0.8 away, none high quality.
  c = toy2d_coverage(torch::zeros({10, 2}), "ring8", "tanh");
  EXPECT_EQ(c.modes_covered, 1);
  EXPECT_NEAR(c.mean_distance, 0.8, 1e-5);
  EXPECT_DOUBLE_EQ(c.high_quality, 0.0);

  // A mode needs at least 1% of the samples: 1 of 200 is not enough.
  std::vector<int> many(199, 2);
  many.push_back(6);
  EXPECT_EQ(toy2d_coverage(points_at(centres, many), "ring8", "tanh").modes_covered, 1);

  // Unit range: the same layout, halved; (N, 2, 1, 1) samples are accepted too.
  const auto unit = toy2d_mode_centres("grid25", "unit");
  torch::Tensor p = points_at(unit, {0, 24, 12}) + 0.5f * toy2d_mode_std("grid25", "unit");
  c = toy2d_coverage(p.view({3, 2, 1, 1}), "grid25", "unit");
  EXPECT_EQ(c.modes_total, 25);
  EXPECT_EQ(c.modes_covered, 3);
  EXPECT_DOUBLE_EQ(c.high_quality, 1.0);

  EXPECT_THROW(toy2d_coverage(torch::zeros({4, 2}), "swiss_roll", "tanh"), UserError);
}

TEST(Toy2d, ScatterPlotDrawsDotsAndCrosses) {
  ScatterAxes axes;
  axes.pixels = 64;
  const std::vector<uint8_t> rgb = render_scatter({{-0.6f, 0.6f}, {5.f, 5.f}}, {{0.6f, -0.6f}}, axes);
  ASSERT_EQ(rgb.size(), 64u * 64 * 3);
  auto at = [&](int x, int y) {
    const size_t i = (size_t(y) * 64 + x) * 3;
    return std::array<int, 3>{rgb[i], rgb[i + 1], rgb[i + 2]};
  };
  // (-0.6, 0.6) is up and left: column and row (0.6 / 2.4) * 64 = 16.
  EXPECT_EQ(at(16, 16), (std::array<int, 3>{30, 30, 30}));
  EXPECT_EQ(at(47, 47)[0], 220);  // the red cross at (0.6, -0.6)
  EXPECT_EQ(at(47, 47)[1], 30);
  EXPECT_EQ(at(2, 60), (std::array<int, 3>{255, 255, 255}));  // background
}

TEST(Toy2d, ScatterPngOfSamples) {
  const fs::path path = fs::path(::testing::TempDir()) / ("gencli_toy2d_" + std::to_string(::getpid()) + ".png");
  DataConfig c = toy("ring8");
  save_toy2d_scatter(path.string(), load_toy2d(c, Split::Test).images, c, {{"gencli:step", "7"}});
  const png::Image img = png::read_png(path.string());
  EXPECT_EQ(img.width, 512);
  EXPECT_EQ(img.height, 512);
  EXPECT_EQ(img.channels, 3);
  EXPECT_EQ(png::read_text_chunks(path.string()), (png::TextChunks{{"gencli:step", "7"}}));
  fs::remove(path);
  EXPECT_THROW(toy2d_points(torch::zeros({4, 3, 1, 1})), UserError);
}
