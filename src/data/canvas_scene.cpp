#include "data/canvas_scene.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace gencli::canvas {

namespace {

// Above this many classes the inverted caption table ((K + 1)^4 scenes) grows past a second.
constexpr int kMaxClasses = 20;

std::string lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Lower case, single spaces, no spaces at the ends: "  A 3  above a 5 " -> "a 3 above a 5".
std::string normalise(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : lowercase(text)) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool same_column(int a, int b) { return a % kSide == b % kSide; }
bool same_row(int a, int b) { return a / kSide == b / kSide; }

// "a 1 in the top left, a 2 in the top right and a 3 in the bottom left"
std::string list_caption(const SceneGrammar& g, const Scene& s) {
  std::vector<std::string> parts;
  for (int cell = 0; cell < kCells; ++cell)
    if (s.cells[cell] != kEmpty) parts.push_back(g.one(s.cells[cell]) + " in the " + cell_names()[cell]);
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i)
    out += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
  return out;
}

}  // namespace

const std::array<std::string, kCells>& cell_names() {
  static const std::array<std::string, kCells> names = {"top left", "top right", "bottom left", "bottom right"};
  return names;
}

int Scene::objects() const {
  return static_cast<int>(std::count_if(cells.begin(), cells.end(), [](int c) { return c != kEmpty; }));
}

const char* template_name(Template t) {
  switch (t) {
    case Template::empty: return "empty";
    case Template::position: return "position";
    case Template::above: return "above";
    case Template::left_of: return "left_of";
    case Template::count: return "count";
    case Template::list: return "list";
  }
  return "?";
}

SceneGrammar::SceneGrammar(std::vector<std::string> class_names, const std::vector<std::string>& held_out) {
  if (class_names.empty() || class_names.size() > static_cast<size_t>(kMaxClasses))
    throw std::invalid_argument("a canvas needs 1 to " + std::to_string(kMaxClasses) + " classes, got " +
                                std::to_string(class_names.size()));
  for (auto& name : class_names) {
    name = normalise(name);
    if (name.empty()) throw std::invalid_argument("a class name is empty");
    if (std::count(names_.begin(), names_.end(), name))
      throw std::invalid_argument("the class name \"" + name + "\" appears twice");
    names_.push_back(name);
  }
  // Invert the grammar once: every caption of every scene, with the scenes it fits.
  const int options = num_classes() + 1;
  int total = 1;
  for (int i = 0; i < kCells; ++i) total *= options;
  for (int code = 0; code < total; ++code) {
    Scene s;
    for (int cell = 0, rest = code; cell < kCells; ++cell, rest /= options) s.cells[cell] = rest % options - 1;
    for (Caption& c : captions(s)) {
      PromptInfo& info = prompts_[c.text];
      info.kind = c.kind;
      info.scenes.push_back(s);
    }
  }
  for (const std::string& entry : held_out) {
    auto it = prompts_.find(normalise(entry));
    if (it == prompts_.end() || it->second.kind != Template::position)
      throw std::invalid_argument("\"" + entry + "\" is not an object in a cell, such as \"" + one(0) + " in the " +
                                  cell_names()[kCells - 1] + "\"");
    const Scene& s = it->second.scenes.front();
    for (int cell = 0; cell < kCells; ++cell)
      if (s.cells[cell] != kEmpty) held_out_.push_back({s.cells[cell], cell});
  }
  for (auto& [text, info] : prompts_) {
    std::sort(info.scenes.begin(), info.scenes.end());
    info.held_out = !held_out_.empty() &&
                    std::all_of(info.scenes.begin(), info.scenes.end(), [&](const Scene& s) { return contains_held_out(s); });
  }
}

std::string SceneGrammar::one(int klass) const {
  const std::string& name = names_.at(klass);
  const bool vowel = std::string("aeiou8").find(name[0]) != std::string::npos;
  return (vowel ? "an " : "a ") + name;
}

std::string SceneGrammar::two(int klass) const {
  const std::string& name = names_.at(klass);
  auto ends_with = [&](const std::string& tail) {
    return name.size() >= tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
  };
  const bool sibilant = ends_with("s") || ends_with("sh") || ends_with("ch") || ends_with("x");
  return "two " + name + (sibilant ? "es" : "s");
}

std::vector<Caption> SceneGrammar::captions(const Scene& s) const {
  std::vector<int> occupied;
  for (int cell = 0; cell < kCells; ++cell)
    if (s.cells[cell] != kEmpty) occupied.push_back(cell);
  if (occupied.empty()) return {{"an empty canvas", Template::empty}};
  if (occupied.size() == 1)
    return {{one(s.cells[occupied[0]]) + " in the " + cell_names()[occupied[0]], Template::position}};
  if (occupied.size() == 2) {
    const int a = occupied[0], b = occupied[1];  // a before b: above or left of it
    const int ka = s.cells[a], kb = s.cells[b];
    if (same_column(a, b)) {
      std::vector<Caption> out = {{one(ka) + " above " + one(kb), Template::above}};
      if (ka == kb) out.push_back({two(ka) + " in the " + (a % kSide == 0 ? "left" : "right") + " column", Template::count});
      return out;
    }
    if (same_row(a, b)) {
      std::vector<Caption> out = {{one(ka) + " left of " + one(kb), Template::left_of}};
      if (ka == kb) out.push_back({two(ka) + " on the " + (a / kSide == 0 ? "top" : "bottom") + " row", Template::count});
      return out;
    }
  }
  return {{list_caption(*this, s), Template::list}};
}

const PromptInfo& SceneGrammar::parse(const std::string& prompt) const {
  auto it = prompts_.find(normalise(prompt));
  if (it == prompts_.end())
    throw std::invalid_argument("\"" + prompt + "\" is not a canvas caption (such as \"" + one(0) + " above " +
                                one(num_classes() - 1) + "\" or \"" + two(0) + " on the bottom row\")");
  return it->second;
}

std::vector<std::string> SceneGrammar::prompts() const {
  std::vector<std::string> out;
  out.reserve(prompts_.size());
  for (const auto& [text, info] : prompts_) out.push_back(text);
  return out;
}

bool SceneGrammar::contains_held_out(const Scene& s) const {
  for (const HeldOut& h : held_out_)
    if (s.cells[h.cell] == h.klass) return true;
  return false;
}

uint64_t CounterRandom::next() {
  uint64_t z = seed_ + (++counter_) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int CounterRandom::below(int n) { return static_cast<int>(next() % static_cast<uint64_t>(n)); }

namespace {

Scene draw_of_template(Template t, int classes, CounterRandom& r) {
  Scene s;
  switch (t) {
    case Template::empty: break;
    case Template::position: s.cells[r.below(kCells)] = r.below(classes); break;
    case Template::above: {
      const int column = r.below(kSide);
      s.cells[column] = r.below(classes);
      s.cells[column + kSide] = r.below(classes);
      break;
    }
    case Template::left_of: {
      const int row = r.below(kSide);
      s.cells[row * kSide] = r.below(classes);
      s.cells[row * kSide + 1] = r.below(classes);
      break;
    }
    case Template::count: {
      const int line = r.below(2 * kSide);  // two rows, then two columns
      const int klass = r.below(classes);
      const int first = line < kSide ? line * kSide : line - kSide;
      const int second = line < kSide ? first + 1 : first + kSide;
      s.cells[first] = s.cells[second] = klass;
      break;
    }
    case Template::list: {
      // Two objects on a diagonal, three, or four: the layouts no other template says.
      const int shape = r.below(3);
      if (shape == 0) {
        const int start = r.below(2);  // top left to bottom right, or top right to bottom left
        s.cells[start] = r.below(classes);
        s.cells[kCells - 1 - start] = r.below(classes);
      } else {
        const int gap = shape == 1 ? r.below(kCells) : -1;
        for (int cell = 0; cell < kCells; ++cell)
          if (cell != gap) s.cells[cell] = r.below(classes);
      }
      break;
    }
  }
  return s;
}

}  // namespace

std::pair<Scene, Caption> draw_scene(const SceneGrammar& grammar, CounterRandom& random, bool avoid_held_out) {
  // Held-out objects are few, so a redraw almost always succeeds; the bound only guards a
  // grammar whose every scene of a template is held out.
  for (int attempt = 0; attempt < 10000; ++attempt) {
    const Template t = static_cast<Template>(random.below(kTemplates));
    const Scene s = draw_of_template(t, grammar.num_classes(), random);
    if (avoid_held_out && grammar.contains_held_out(s)) continue;
    for (Caption& c : grammar.captions(s))
      if (c.kind == t) return {s, c};
  }
  throw std::invalid_argument("data.held_out: the held-out objects leave no scene to train on");
}

}  // namespace gencli::canvas
