#pragma once
// The scenes of `data.type: canvas` and the grammar of their captions. A scene is a 2x2 grid of
// cells, each empty or holding one object of a class; a caption says what is where ("a 3 above
// a 5", "two 1s on the bottom row"). The grammar runs both ways: draw_scene() makes a scene and
// one of its captions for training, and SceneGrammar::parse() turns a prompt back into every
// scene that satisfies it, which is how generated canvases are judged. Torch-free.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gencli::canvas {

constexpr int kSide = 2;               // cells per row and per column
constexpr int kCells = kSide * kSide;  // 0 top left, 1 top right, 2 bottom left, 3 bottom right
constexpr int kEmpty = -1;

// The cell names captions use, in cell order.
const std::array<std::string, kCells>& cell_names();

struct Scene {
  std::array<int, kCells> cells{kEmpty, kEmpty, kEmpty, kEmpty};  // class index or kEmpty
  bool operator==(const Scene& o) const { return cells == o.cells; }
  bool operator<(const Scene& o) const { return cells < o.cells; }
  int objects() const;
};

// The caption templates. Each scene has captions from one or more of them.
enum class Template { empty, position, above, left_of, count, list };
constexpr int kTemplates = 6;
const char* template_name(Template t);  // "position", ...

struct Caption {
  std::string text;
  Template kind;
};

// An object the training data never shows: a class in a cell ("a 3 in the bottom right").
struct HeldOut {
  int klass;
  int cell;
};

// Where a caption sits for judging: "seen" prompts are ones training can show; a "held-out"
// prompt is one every matching scene of which contains a held-out object.
struct PromptInfo {
  std::vector<Scene> scenes;  // every scene the prompt describes (sorted)
  Template kind;
  bool held_out = false;
};

class SceneGrammar {
 public:
  // class_names: one name per class ("3", "sneaker"); held_out as captions of the position
  // template ("a 3 in the bottom right"). Throws std::invalid_argument saying which entry is bad.
  SceneGrammar(std::vector<std::string> class_names, const std::vector<std::string>& held_out);

  // Every caption the grammar gives `scene` (at least one).
  std::vector<Caption> captions(const Scene& scene) const;
  // The scenes a prompt describes; throws std::invalid_argument for a prompt outside the grammar.
  const PromptInfo& parse(const std::string& prompt) const;
  // Every prompt the grammar can say, in byte order.
  std::vector<std::string> prompts() const;

  // True when the scene holds a held-out object (so training never shows it).
  bool contains_held_out(const Scene& scene) const;
  const std::vector<HeldOut>& held_out() const { return held_out_; }
  const std::vector<std::string>& class_names() const { return names_; }
  int num_classes() const { return static_cast<int>(names_.size()); }

  // "a 3" / "an 8" / "an ankle boot", and the plural "two 3s" / "two dresses".
  std::string one(int klass) const;
  std::string two(int klass) const;

 private:
  std::vector<std::string> names_;
  std::vector<HeldOut> held_out_;
  std::map<std::string, PromptInfo> prompts_;  // every caption of every scene, inverted
};

// A source of uniform 64-bit draws whose whole state is one counter, so a checkpoint keeps it
// exactly (SplitMix64, Steele et al. 2014).
class CounterRandom {
 public:
  explicit CounterRandom(uint64_t seed, uint64_t counter = 0) : seed_(seed), counter_(counter) {}
  uint64_t next();
  int below(int n);  // uniform in [0, n)
  uint64_t counter() const { return counter_; }
  uint64_t seed() const { return seed_; }

 private:
  uint64_t seed_, counter_;
};

// Draws a template uniformly, then a scene of it with uniform classes and cells, and returns the
// scene with its caption of that template. With avoid_held_out the draw is repeated until the
// scene holds no held-out object (training); without, held-out objects appear like any other.
std::pair<Scene, Caption> draw_scene(const SceneGrammar& grammar, CounterRandom& random, bool avoid_held_out);

}  // namespace gencli::canvas
