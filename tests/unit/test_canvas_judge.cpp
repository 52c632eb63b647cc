// The prompt-adherence judge (eval/canvas_judge.h) with a stand-in cell classifier that reads
// the class off a cell's intensity: real canvases satisfy their own captions, canvases with
// shuffled captions mostly do not, cells are cut in the grammar's order, faint cells count as
// empty, and the interval is Wilson's.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "data/canvas.h"
#include "eval/canvas_judge.h"

using namespace gencli;
using namespace gencli::canvas;
using namespace gencli::eval;

namespace {

SceneGrammar judged_digits() {
  std::vector<std::string> names;
  for (int k = 0; k < 10; ++k) names.push_back(std::to_string(k));
  return SceneGrammar(names, {"a 3 in the bottom right"});
}

// Class k's images are filled with (k + 1) / 10, so the brightest pixel names the class.
ImageDataset intensity_objects() {
  ImageDataset objects;
  objects.images = torch::arange(1, 11, torch::kFloat).div(10).view({10, 1, 1, 1}).expand({10, 1, 6, 6}).contiguous();
  objects.labels = torch::arange(10, torch::kLong);
  return objects;
}

torch::Tensor read_intensity(const torch::Tensor& cells) {
  return (cells.flatten(1).amax(1) * 10).round().sub(1).clamp(0, 9).to(torch::kLong);
}

}  // namespace

TEST(CanvasJudge, CutsCellsInTheGrammarsOrder) {
  torch::Tensor canvas = torch::zeros({1, 1, 4, 4});
  canvas.index_put_({0, 0, torch::indexing::Slice(0, 2), torch::indexing::Slice(2, 4)}, 1.0);  // top right
  canvas.index_put_({0, 0, torch::indexing::Slice(2, 4), torch::indexing::Slice(0, 2)}, 0.5);  // bottom left
  torch::Tensor cells = cut_cells(canvas);
  ASSERT_EQ(cells.sizes(), (std::vector<int64_t>{4, 1, 2, 2}));
  EXPECT_TRUE(torch::allclose(cell_ink(cells), torch::tensor({0.0f, 1.0f, 0.5f, 0.0f})));
}

TEST(CanvasJudge, RealCanvasesSatisfyTheirCaptionsAndShuffledOnesRarely) {
  const SceneGrammar grammar = judged_digits();
  CanvasObjects objects(intensity_objects(), 10);
  const ImageDataset real = draw_canvases(objects, grammar, 300, 11, /*avoid_held_out=*/false);
  const double threshold = ink_threshold(cut_cells(real.images), real.cells.flatten() != kEmpty);
  EXPECT_NEAR(threshold, 0.05, 1e-6);  // half the faintest class's 0.1
  const std::vector<Scene> scenes = read_scenes(real.images, threshold, read_intensity);
  const AdherenceTable own = score_adherence(grammar, real.captions, scenes);
  EXPECT_EQ(own.all.n, 300);
  EXPECT_EQ(own.all.hits, 300);
  EXPECT_GT(own.held_out.n + own.seen.n, 0);
  EXPECT_EQ(own.seen_by_template.size(), 6u);  // every template among 300 draws

  std::vector<std::string> shuffled = real.captions;
  std::mt19937 random(5);
  std::shuffle(shuffled.begin(), shuffled.end(), random);
  const AdherenceTable other = score_adherence(grammar, shuffled, scenes);
  EXPECT_LT(other.all.rate(), 0.1) << other.all.hits << " of " << other.all.n;

  // A canvas with one object dimmed to half the threshold reads as empty there.
  torch::Tensor dimmed = real.images.slice(0, 0, 1).clone();
  const Scene before = scenes[0];
  const int occupied = static_cast<int>(std::find_if(before.cells.begin(), before.cells.end(),
                                                     [](int k) { return k != kEmpty; }) - before.cells.begin());
  if (occupied < kCells) {
    const int64_t h = 6, r = occupied / kSide, c = occupied % kSide;
    auto region = dimmed.index({0, 0, torch::indexing::Slice(r * h, (r + 1) * h), torch::indexing::Slice(c * h, (c + 1) * h)});
    region.fill_(threshold / 2);
    EXPECT_EQ(read_scenes(dimmed, threshold, read_intensity)[0].cells[occupied], kEmpty);
  }
}

TEST(CanvasJudge, WilsonInterval) {
  Proportion p{8, 10};
  EXPECT_NEAR(p.low(), 0.4902, 1e-4);  // Wilson's interval for 8 of 10 at 95 %
  EXPECT_NEAR(p.high(), 0.9433, 1e-4);
  Proportion all{20, 20};
  EXPECT_NEAR(all.high(), 1.0, 1e-12);
  EXPECT_NEAR(all.low(), 0.8389, 1e-4);
}
