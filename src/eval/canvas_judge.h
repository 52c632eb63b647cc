#pragma once
// Judging canvases against their prompts (data.type canvas): each canvas is cut into its 2x2
// cells, a cell is empty when its ink is below a threshold and otherwise the class a cell
// classifier names, and a canvas satisfies its prompt when the scene so read is one of those
// the prompt describes (canvas::SceneGrammar::parse), every cell included. The classifier is a
// parameter, so the rules can be tested apart from any trained network.
#include "core/torch_api.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/canvas_scene.h"

namespace gencli::eval {

// (N, C, 2h, 2w) -> (4N, C, h, w): cell k of canvas i at row 4i + k (cell order of canvas_scene.h).
torch::Tensor cut_cells(const torch::Tensor& canvases);
// Mean intensity of each cell in [0, 1] (0 = background): (M, C, h, w) -> (M).
torch::Tensor cell_ink(const torch::Tensor& unit_cells);

// Half the ink of the faintest occupied real cells (their 5th percentile): real empty cells
// hold none, so this separates the two with room for a generated cell's faint haze.
// occupied: (M) bool, true where a real cell holds an object.
double ink_threshold(const torch::Tensor& unit_cells, const torch::Tensor& occupied);

// Classes of unit-range cells (M, C, h, w) -> (M) int64.
using CellClassifier = std::function<torch::Tensor(const torch::Tensor&)>;

// The scene of each canvas (N, C, 2h, 2w) in [0, 1].
std::vector<canvas::Scene> read_scenes(const torch::Tensor& unit_canvases, double threshold,
                                       const CellClassifier& classify);

// A proportion with its Wilson score interval at 95 % (Wilson 1927).
struct Proportion {
  int64_t hits = 0, n = 0;
  double rate() const { return n ? static_cast<double>(hits) / n : 0.0; }
  double low() const;
  double high() const;
  nlohmann::json to_json() const;
};

// How often scenes[i] satisfies prompts[i]: overall, for seen and held-out prompts, and per
// template of each. Prompts must be in the grammar.
struct AdherenceTable {
  Proportion all, seen, held_out;
  std::map<std::string, Proportion> seen_by_template, held_out_by_template;
  nlohmann::json to_json() const;
};
AdherenceTable score_adherence(const canvas::SceneGrammar& grammar, const std::vector<std::string>& prompts,
                               const std::vector<canvas::Scene>& scenes);

}  // namespace gencli::eval
