#pragma once
// `gencli eval --features` for models trained on canvases (data.type canvas): the prompt
// adherence of text-to-image samples, the CLIP score of this scale (eval/canvas_judge.h), on
// prompts training could show and on held-out combinations, per caption template, beside the
// judge's own calibration (the real test canvases with their captions, and with the captions
// shuffled), the FID of generated cells against real ones, and samples per second. A model that
// reads no prompts (an unconditional one) is judged against the same prompts: the baseline of a
// model that ignores them.
#include <nlohmann/json.hpp>

#include <string>

#include "eval/feature_network.h"
#include "eval/judge.h"
#include "train/checkpoint.h"

namespace gencli::eval {

// settings.num samples in all, spread evenly over the prompts drawn (settings.seed) from each
// template's seen and held-out prompts.
nlohmann::json judge_prompt_adherence(FeatureNetwork& network, LoadedModel& loaded, const JudgeSettings& settings);
// The report as aligned text.
std::string format_prompt_adherence(const nlohmann::json& report);

}  // namespace gencli::eval
