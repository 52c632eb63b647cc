#include "eval/prompt_adherence.h"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>

#include "core/errors.h"
#include "core/runtime_tuning.h"
#include "data/canvas.h"
#include "eval/canvas_judge.h"
#include "eval/frechet_distance.h"
#include "eval/sample_sets.h"
#include "io/image_grid.h"

namespace gencli::eval {

namespace {

constexpr size_t kPromptsPerGroup = 8;  // prompts drawn from each (template, seen / held-out) group

// Up to kPromptsPerGroup prompts of every template, seen and held-out, drawn with `seed`.
std::vector<std::string> pick_prompts(const canvas::SceneGrammar& grammar, uint64_t seed) {
  std::map<std::pair<bool, int>, std::vector<std::string>> groups;
  for (const std::string& p : grammar.prompts()) {
    const canvas::PromptInfo& info = grammar.parse(p);
    groups[{info.held_out, static_cast<int>(info.kind)}].push_back(p);
  }
  std::mt19937_64 random(seed);
  std::vector<std::string> picked;
  for (auto& [key, prompts] : groups) {
    std::shuffle(prompts.begin(), prompts.end(), random);
    prompts.resize(std::min(prompts.size(), kPromptsPerGroup));
    std::sort(prompts.begin(), prompts.end());
    picked.insert(picked.end(), prompts.begin(), prompts.end());
  }
  return picked;
}

}  // namespace

nlohmann::json judge_prompt_adherence(FeatureNetwork& network, LoadedModel& loaded, const JudgeSettings& s) {
  DataConfig data = loaded.config.data;
  if (!s.data_root.empty()) data.root = s.data_root;
  const canvas::SceneGrammar grammar = canvas_grammar(data);
  if (network.num_classes() != grammar.num_classes())
    throw UserError("--features " + network.path() + ": a classifier of " + std::to_string(network.num_classes()) +
                    " classes, but the canvases hold " + std::to_string(grammar.num_classes()));
  const Capabilities& caps = loaded.model->capabilities();
  if (caps.conditional())
    throw UserError("eval --features on canvases: judges text-to-image or unconditional models, not class-conditional");

  // The judge's calibration: real test canvases, their cells' ink and their own captions.
  const ImageDataset real = load_canvas(data, Split::Test);
  torch::Tensor real_unit = to_unit_range(real.images, data.range).clamp(0, 1);
  const double threshold = ink_threshold(cut_cells(real_unit), real.cells.flatten() != canvas::kEmpty);
  std::vector<torch::Tensor> cell_features;
  CellClassifier classify = [&](const torch::Tensor& cells) {
    const FeatureOutput out = network.run(cells, "canvas cells");
    cell_features.push_back(out.features);
    return out.probabilities.argmax(1);
  };
  const std::vector<canvas::Scene> real_scenes = read_scenes(real_unit, threshold, classify);
  torch::Tensor real_features = torch::cat(cell_features);
  cell_features.clear();
  torch::Tensor real_occupied = cell_ink(cut_cells(real_unit)) >= threshold;
  std::vector<std::string> shuffled = real.captions;
  std::mt19937_64 shuffle_random(s.seed);
  std::shuffle(shuffled.begin(), shuffled.end(), shuffle_random);

  // The model's samples, the same number for every prompt.
  const std::vector<std::string> prompts = pick_prompts(grammar, s.seed);
  const int64_t per_prompt = std::max<int64_t>(1, s.num / static_cast<int64_t>(prompts.size()));
  std::vector<std::string> asked;
  for (const std::string& p : prompts) asked.insert(asked.end(), static_cast<size_t>(per_prompt), p);
  const int64_t n = static_cast<int64_t>(asked.size());
  spdlog::info("prompt adherence: {} prompts x {} samples{}", prompts.size(), per_prompt,
               caps.reads.prompts ? "" : " (the model reads no prompts: the prompt-ignored baseline)");
  const auto start = std::chrono::steady_clock::now();
  const ImageSet samples = generate_samples(*loaded.model, loaded.config, s.sampling, n, -1, s.seed,
                                            caps.reads.prompts ? asked : std::vector<std::string>{});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  set_cpu_threads(0, 0, /*parallel_ops=*/true);  // the feature network is convolutional
  if (samples.images.size(2) != real.images.size(2) || samples.images.size(3) != real.images.size(3))
    throw UserError("eval: the model draws " + c10::str(samples.images.sizes()) + " images, not canvases like " +
                    c10::str(real.images.sizes()));
  const std::vector<canvas::Scene> scenes = read_scenes(samples.images, threshold, classify);
  torch::Tensor generated_features = torch::cat(cell_features);
  torch::Tensor generated_occupied = cell_ink(cut_cells(samples.images)) >= threshold;

  nlohmann::json j;
  j["judge"] = fmt::format("each 2x2 cell classified by {} ({} classes), empty below ink {:.4f} (half the 5th "
                           "percentile of real occupied cells)", network.path(), network.num_classes(), threshold);
  j["held_out_objects"] = data.held_out;
  j["prompts"] = prompts.size();
  j["samples_per_prompt"] = per_prompt;
  j["samples"] = n;
  j["reads_prompts"] = caps.reads.prompts;
  if (caps.reads.prompts)
    j["guidance"] = s.sampling.guidance >= 0 ? s.sampling.guidance : loaded.config.model.value("guidance", 1.0);
  j["adherence"] = score_adherence(grammar, asked, scenes).to_json();
  j["real_canvases"] = score_adherence(grammar, real.captions, real_scenes).all.to_json();
  j["real_canvases_shuffled_captions"] = score_adherence(grammar, shuffled, real_scenes).all.to_json();
  const torch::Tensor gen_occ = generated_features.index({generated_occupied}), real_occ = real_features.index({real_occupied});
  j["generated_cells_with_ink"] = gen_occ.size(0);
  j["real_cells_with_ink"] = real_occ.size(0);
  if (gen_occ.size(0) >= 2 && real_occ.size(0) >= 2)
    j["cell_fid"] = frechet_distance(gaussian_stats(gen_occ), gaussian_stats(real_occ));
  j["samples_per_s"] = n / std::max(seconds, 1e-9);
  return j;
}

std::string format_prompt_adherence(const nlohmann::json& j) {
  auto line = [](const std::string& name, const nlohmann::json& p) {
    return fmt::format("  {:<34} {:6.1f} %  [{:5.1f}, {:5.1f}]  of {}\n", name, 100 * p["rate"].get<double>(),
                       100 * p["ci95_low"].get<double>(), 100 * p["ci95_high"].get<double>(), p["n"].get<int64_t>());
  };
  std::string out = fmt::format("prompt adherence: {} samples, {} per prompt ({}); {}\n", j["samples"].get<int64_t>(),
                                j["samples_per_prompt"].get<int64_t>(),
                                j["reads_prompts"].get<bool>() ? "drawn for each prompt" : "the model ignores prompts",
                                j["judge"].get<std::string>());
  const nlohmann::json& a = j["adherence"];
  out += line("seen prompts", a["seen"]);
  for (const auto& item : a["seen_by_template"].items()) out += line("  seen, " + item.key(), item.value());
  out += line("held-out combinations", a["held_out"]);
  for (const auto& item : a["held_out_by_template"].items()) out += line("  held-out, " + item.key(), item.value());
  out += line("judge check: real canvases", j["real_canvases"]);
  out += line("judge check: shuffled captions", j["real_canvases_shuffled_captions"]);
  if (j.contains("cell_fid"))
    out += fmt::format("  {:<34} {:.2f} ({} generated cells with ink, {} real)\n", "cell FID", j["cell_fid"].get<double>(),
                       j["generated_cells_with_ink"].get<int64_t>(), j["real_cells_with_ink"].get<int64_t>());
  out += fmt::format("  {:<34} {:.2f}\n", "samples per second", j["samples_per_s"].get<double>());
  return out;
}

}  // namespace gencli::eval
