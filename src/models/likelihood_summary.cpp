#include "models/likelihood_summary.h"

#include <cmath>
#include <spdlog/fmt/fmt.h>

namespace gencli {

nlohmann::json likelihood_row(const std::string& estimate, bool exact, double nats, const std::string& unit,
                              int64_t dims, const std::string& data) {
  return {{"estimate", estimate},
          {"exact", exact},
          {"nll_nats", nats},
          {"unit", unit},
          {"dims_per_unit", dims},
          {"bits_per_dim", nats / (static_cast<double>(dims) * std::log(2.0))},
          {"perplexity_per_dim", std::exp(nats / static_cast<double>(dims))},
          {"data", data}};
}

void add_likelihood_row(nlohmann::json& result, nlohmann::json row) { result["likelihood"].push_back(std::move(row)); }

std::string format_likelihood_table(const nlohmann::json& rows) {
  if (!rows.is_array() || rows.empty()) return "";
  std::string out = fmt::format("  {:<22} {:<12} {:>12} {:<10} {:>9} {:>11}  {}\n", "estimate", "kind",
                                "NLL (nats)", "per", "bits/dim", "perplexity", "data scored");
  for (const auto& r : rows)
    out += fmt::format("  {:<22} {:<12} {:>12.4f} {:<10} {:>9.4f} {:>11.4g}  {}\n", r["estimate"].get<std::string>(),
                       r["exact"].get<bool>() ? "exact" : "upper bound", r["nll_nats"].get<double>(),
                       r["unit"].get<std::string>(), r["bits_per_dim"].get<double>(),
                       r["perplexity_per_dim"].get<double>(), r.value("data", ""));
  return out;
}

}  // namespace gencli
