// data.type "canvas": the caption grammar both ways (every template drawn, every caption parsed
// back to the scenes that fit it), held-out objects never drawn for training, and canvases
// composed with each object in its cell.
#include <gtest/gtest.h>

#include <set>

#include "core/errors.h"
#include "data/canvas.h"
#include "data/canvas_scene.h"

using namespace gencli;
using namespace gencli::canvas;

namespace {

SceneGrammar digits(const std::vector<std::string>& held_out = {}) {
  std::vector<std::string> names;
  for (int k = 0; k < 10; ++k) names.push_back(std::to_string(k));
  return SceneGrammar(names, held_out);
}

Scene scene(std::array<int, kCells> cells) {
  Scene s;
  s.cells = cells;
  return s;
}

}  // namespace

TEST(CanvasGrammar, CaptionsSayWhatIsWhere) {
  SceneGrammar g = digits();
  EXPECT_EQ(g.captions(scene({-1, -1, -1, -1}))[0].text, "an empty canvas");
  EXPECT_EQ(g.captions(scene({7, -1, -1, -1}))[0].text, "a 7 in the top left");
  EXPECT_EQ(g.captions(scene({-1, 3, -1, 5}))[0].text, "a 3 above a 5");
  EXPECT_EQ(g.captions(scene({-1, -1, 8, 2}))[0].text, "an 8 left of a 2");
  auto two = g.captions(scene({-1, -1, 1, 1}));
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1].text, "two 1s on the bottom row");
  EXPECT_EQ(g.captions(scene({4, -1, -1, 6}))[0].text, "a 4 in the top left and a 6 in the bottom right");
  EXPECT_EQ(g.captions(scene({1, 2, 3, -1}))[0].text, "a 1 in the top left, a 2 in the top right and a 3 in the bottom left");
}

TEST(CanvasGrammar, ArticlesAndPluralsOfWordNames) {
  SceneGrammar g({"t-shirt", "dress", "ankle boot", "bag"}, {});
  EXPECT_EQ(g.one(2), "an ankle boot");
  EXPECT_EQ(g.two(1), "two dresses");
  EXPECT_EQ(g.two(0), "two t-shirts");
  EXPECT_EQ(g.captions(scene({3, -1, 0, -1}))[0].text, "a bag above a t-shirt");
}

TEST(CanvasGrammar, EveryCaptionParsesBackToTheScenesItFits) {
  SceneGrammar g = digits();
  const auto& above = g.parse("A 3  above a 5 ");
  EXPECT_EQ(above.kind, Template::above);
  // Either column, the rest empty.
  EXPECT_EQ(above.scenes, (std::vector<Scene>{scene({-1, 3, -1, 5}), scene({3, -1, 5, -1})}));
  EXPECT_EQ(g.parse("a 3 in the bottom right").scenes, (std::vector<Scene>{scene({-1, -1, -1, 3})}));
  EXPECT_THROW(g.parse("a 3 under a 5"), std::invalid_argument);
  EXPECT_THROW(g.parse("a 12 in the top left"), std::invalid_argument);
  // Each scene's captions lead back to it.
  CounterRandom r(5);
  for (int i = 0; i < 500; ++i) {
    auto [s, caption] = draw_scene(g, r, false);
    const auto& scenes = g.parse(caption.text).scenes;
    EXPECT_TRUE(std::binary_search(scenes.begin(), scenes.end(), s)) << caption.text;
  }
}

TEST(CanvasGrammar, TrainingDrawsCoverEveryTemplateAndNeverAHeldOutObject) {
  SceneGrammar g = digits({"a 3 in the bottom right", "a 0 in the top left"});
  ASSERT_EQ(g.held_out().size(), 2u);
  CounterRandom r(11);
  std::set<Template> kinds;
  std::set<std::string> seen;
  for (int i = 0; i < 20000; ++i) {
    auto [s, caption] = draw_scene(g, r, true);
    EXPECT_NE(s.cells[3], 3) << caption.text;
    EXPECT_NE(s.cells[0], 0) << caption.text;
    EXPECT_FALSE(g.parse(caption.text).held_out) << caption.text;
    kinds.insert(caption.kind);
    seen.insert(caption.text);
  }
  EXPECT_EQ(kinds.size(), static_cast<size_t>(kTemplates));
  EXPECT_TRUE(g.parse("a 3 in the bottom right").held_out);
  EXPECT_TRUE(g.parse("two 3s on the bottom row").held_out);
  EXPECT_FALSE(g.parse("a 5 above a 3").held_out);  // the left column shows it
  EXPECT_FALSE(seen.count("a 3 in the bottom right"));
  // Without the restriction (the test set), held-out objects do appear.
  CounterRandom t(11);
  bool drawn = false;
  for (int i = 0; i < 5000 && !drawn; ++i) drawn = g.contains_held_out(draw_scene(g, t, false).first);
  EXPECT_TRUE(drawn);
}

TEST(CanvasGrammar, BadHeldOutAndNamesAreRefused) {
  EXPECT_THROW(digits({"a 3 above a 5"}), std::invalid_argument);
  EXPECT_THROW(digits({"a 3 in the middle"}), std::invalid_argument);
  EXPECT_THROW(SceneGrammar({"bag", "Bag"}, {}), std::invalid_argument);
  DataConfig config;
  config.type = "canvas";
  config.num_classes = 3;
  EXPECT_EQ(canvas_grammar(config).num_classes(), 3);  // names "0", "1", "2"
  config.class_names = {"a", "b"};
  try {
    canvas_grammar(config);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("data.class_names"), std::string::npos) << e.what();
  }
}

TEST(Canvas, ComposesEachObjectInItsCell) {
  // Class k's only image is filled with (k + 1) / 10 in [0, 1].
  ImageDataset objects;
  objects.images = torch::arange(1, 11, torch::kFloat).div(10).view({10, 1, 1, 1}).expand({10, 1, 4, 4}).contiguous();
  objects.labels = torch::arange(10, torch::kLong);
  CanvasObjects pool(objects, 10);
  CounterRandom r(1);
  torch::Tensor c = pool.compose(scene({2, -1, -1, 9}), r);
  ASSERT_EQ(c.sizes(), (std::vector<int64_t>{1, 8, 8}));
  EXPECT_FLOAT_EQ(c[0][0][0].item<float>(), 0.3f);
  EXPECT_FLOAT_EQ(c[0][3][3].item<float>(), 0.3f);
  EXPECT_FLOAT_EQ(c[0][0][4].item<float>(), 0.0f);  // empty top right
  EXPECT_FLOAT_EQ(c[0][7][7].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(c[0][4][0].item<float>(), 0.0f);

  SceneGrammar g = digits({"a 9 in the bottom right"});
  CanvasBatches batches(pool, g, 16, 3);
  Batch b = batches.next();
  ASSERT_EQ(b.captions.size(), 16u);
  ASSERT_EQ(b.cells.sizes(), (std::vector<int64_t>{16, 4}));
  for (int i = 0; i < 16; ++i) {
    for (int cell = 0; cell < kCells; ++cell) {
      const int64_t k = b.cells[i][cell].item<int64_t>();
      const float expected = k < 0 ? 0.0f : (k + 1) / 10.0f;
      EXPECT_FLOAT_EQ(b.images[i][0][(cell / 2) * 4][(cell % 2) * 4].item<float>(), expected) << b.captions[i];
    }
    EXPECT_NE(b.cells[i][3].item<int64_t>(), 9);
  }
  // The draw counter is the state: a restored source continues with the same canvases.
  torch::serialize::OutputArchive out;
  batches.save(out);
  Batch next = batches.next();
  CanvasBatches restored(pool, g, 16, 3);
  std::stringstream buffer;
  out.save_to(buffer);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  restored.load(in);
  Batch again = restored.next();
  EXPECT_EQ(again.captions, next.captions);
  EXPECT_TRUE(torch::equal(again.images, next.images));
}
