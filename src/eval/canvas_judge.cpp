#include "eval/canvas_judge.h"

#include <algorithm>
#include <cmath>

namespace gencli::eval {

using canvas::kCells;
using canvas::kSide;

torch::Tensor cut_cells(const torch::Tensor& canvases) {
  const int64_t n = canvases.size(0), c = canvases.size(1), h = canvases.size(2) / kSide, w = canvases.size(3) / kSide;
  // (N, C, row, h, column, w) -> (N, row, column, C, h, w): row-major cells, as canvas_scene.h numbers them.
  return canvases.reshape({n, c, kSide, h, kSide, w}).permute({0, 2, 4, 1, 3, 5}).reshape({n * kCells, c, h, w});
}

torch::Tensor cell_ink(const torch::Tensor& unit_cells) { return unit_cells.flatten(1).mean(1); }

double ink_threshold(const torch::Tensor& unit_cells, const torch::Tensor& occupied) {
  torch::Tensor ink = cell_ink(unit_cells).index({occupied.to(torch::kBool)});
  if (ink.numel() == 0) return 0.0;
  torch::Tensor sorted = std::get<0>(ink.sort());
  const int64_t k = static_cast<int64_t>(0.05 * static_cast<double>(sorted.numel() - 1));
  return 0.5 * sorted[k].item<double>();
}

std::vector<canvas::Scene> read_scenes(const torch::Tensor& unit_canvases, double threshold,
                                       const CellClassifier& classify) {
  torch::Tensor cells = cut_cells(unit_canvases);
  torch::Tensor empty = (cell_ink(cells) < threshold).cpu();
  torch::Tensor classes = classify(cells).to(torch::kCPU, torch::kLong);
  auto e = empty.accessor<bool, 1>();
  auto k = classes.accessor<int64_t, 1>();
  std::vector<canvas::Scene> scenes(static_cast<size_t>(unit_canvases.size(0)));
  for (size_t i = 0; i < scenes.size(); ++i)
    for (int cell = 0; cell < kCells; ++cell) {
      const int64_t m = static_cast<int64_t>(i) * kCells + cell;
      scenes[i].cells[cell] = e[m] ? canvas::kEmpty : static_cast<int>(k[m]);
    }
  return scenes;
}

namespace {

constexpr double kZ95 = 1.959963984540054;

}  // namespace

double Proportion::low() const {
  if (n == 0) return 0.0;
  const double p = rate(), z2 = kZ95 * kZ95, nn = static_cast<double>(n);
  return (p + z2 / (2 * nn) - kZ95 * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn))) / (1 + z2 / nn);
}

double Proportion::high() const {
  if (n == 0) return 1.0;
  const double p = rate(), z2 = kZ95 * kZ95, nn = static_cast<double>(n);
  return (p + z2 / (2 * nn) + kZ95 * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn))) / (1 + z2 / nn);
}

nlohmann::json Proportion::to_json() const {
  return {{"rate", rate()}, {"ci95_low", low()}, {"ci95_high", high()}, {"satisfied", hits}, {"n", n}};
}

AdherenceTable score_adherence(const canvas::SceneGrammar& grammar, const std::vector<std::string>& prompts,
                               const std::vector<canvas::Scene>& scenes) {
  AdherenceTable t;
  for (size_t i = 0; i < prompts.size(); ++i) {
    const canvas::PromptInfo& info = grammar.parse(prompts[i]);
    const bool hit = std::binary_search(info.scenes.begin(), info.scenes.end(), scenes.at(i));
    Proportion& split = info.held_out ? t.held_out : t.seen;
    Proportion& by_template = (info.held_out ? t.held_out_by_template : t.seen_by_template)[canvas::template_name(info.kind)];
    for (Proportion* p : {&t.all, &split, &by_template}) {
      p->n += 1;
      p->hits += hit ? 1 : 0;
    }
  }
  return t;
}

nlohmann::json AdherenceTable::to_json() const {
  nlohmann::json j = {{"all", all.to_json()}, {"seen", seen.to_json()}, {"held_out", held_out.to_json()}};
  j["seen_by_template"] = nlohmann::json::object();
  j["held_out_by_template"] = nlohmann::json::object();
  for (const auto& [name, p] : seen_by_template) j["seen_by_template"][name] = p.to_json();
  for (const auto& [name, p] : held_out_by_template) j["held_out_by_template"][name] = p.to_json();
  return j;
}

}  // namespace gencli::eval
