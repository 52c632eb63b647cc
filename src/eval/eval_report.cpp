#include "eval/eval_report.h"

#include <algorithm>
#include <spdlog/fmt/fmt.h>

#include "eval/prompt_adherence.h"
#include "eval/sample_quality.h"
#include "models/likelihood_summary.h"

namespace gencli::eval {

nlohmann::json EvalReport::to_json() const {
  nlohmann::json j;
  if (model_type.empty()) {
    j["real"] = subject;
  } else {
    j["checkpoint"] = subject;
    j["model_type"] = model_type;
    j["step"] = step;
    if (!data_fingerprint.empty()) j["data_fingerprint"] = data_fingerprint;
    j["metrics"] = metrics;
    j["energy"] = energy;
  }
  j["precision"] = precision;
  if (!quality.is_null()) j["sample_quality"] = quality;
  return j;
}

namespace {

// Floats to 6 significant digits; strings unquoted; lists and objects as compact JSON.
std::string value_text(const nlohmann::json& v) {
  return v.is_number_float() ? fmt::format("{:.6g}", v.get<double>()) : v.is_string() ? v.get<std::string>() : v.dump();
}

std::string energy_text(const nlohmann::json& e) {
  if (e.is_null()) return "energy: not recorded in this checkpoint (saved by a gencli before the energy report)\n";
  std::string out = "training cost\n";
  auto line = [&](const char* name, const std::string& value) { out += fmt::format("  {:<24} {}\n", name, value); };
  line("steps", std::to_string(e["steps"].get<int64_t>()));
  line("wall / CPU time", fmt::format("{:.1f} s / {:.1f} s", e["wall_s"].get<double>(), e["cpu_s"].get<double>()));
  line("FLOPs", fmt::format("{:.4g} ({})", e["flops"].get<double>(), e["flops_counted"].get<std::string>()));
  line("energy", fmt::format("{:.4g} J = {:.4g} kWh{}", e["energy_j"].get<double>(), e["energy_kwh"].get<double>(),
                             e["energy_estimated"].get<bool>() ? " (estimated)" : ""));
  line("energy source", e["energy_source"].get<std::string>());
  line("CO2e", fmt::format("{:.4g} g at {} g per kWh", e["co2e_g"].get<double>(), e["grid_g_co2e_per_kwh"].dump()));
  return out;
}

}  // namespace

std::string EvalReport::to_text() const {
  std::string out;
  if (!model_type.empty()) {
    out += fmt::format("{} ({}, step {})\n", subject, model_type, step);
    if (!data_fingerprint.empty()) out += fmt::format("trained on data {}\n", data_fingerprint);
    if (precision != "fp32") out += fmt::format("computed in {} (--precision)\n", precision);
    size_t width = 24;
    for (const auto& item : metrics.items()) width = std::max(width, item.key().size());
    for (const auto& item : metrics.items())
      if (item.key() != "likelihood")
        out += fmt::format("  {:<{}} {}\n", item.key(), width, value_text(item.value()));
    if (metrics.contains("likelihood"))
      out += "likelihood on the test split\n" + format_likelihood_table(metrics["likelihood"]);
    else
      out += fmt::format("likelihood: none (model.type {} reports no test likelihood)\n", model_type);
    out += energy_text(energy);
  }
  if (!quality.is_null())
    out += quality.contains("adherence") ? format_prompt_adherence(quality) : eval::format_sample_quality(quality);
  return out;
}

}  // namespace gencli::eval
