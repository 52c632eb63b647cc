#include "models/likelihood_summary.h"

#include <cmath>
#include <spdlog/fmt/fmt.h>

namespace gencli {

nlohmann::json likelihood_row(const std::string& estimate, bool exact, double nats, const std::string& unit,
                              int64_t dims) {
  return {{"estimate", estimate},
          {"exact", exact},
          {"nll_nats", nats},
          {"unit", unit},
          {"dims_per_unit", dims},
          {"bits_per_dim", nats / (static_cast<double>(dims) * std::log(2.0))},
          {"perplexity_per_dim", std::exp(nats / static_cast<double>(dims))}};
}

void add_likelihood_row(nlohmann::json& result, nlohmann::json row) { result["likelihood"].push_back(std::move(row)); }

std::string format_likelihood_table(const nlohmann::json& rows) {
  if (!rows.is_array() || rows.empty()) return "";
  std::string out = fmt::format("  {:<16} {:<12} {:>14} {:<8} {:>10} {:>12}\n", "estimate", "kind", "NLL (nats)", "per",
                                "bits/dim", "perplexity");
  for (const auto& r : rows)
    out += fmt::format("  {:<16} {:<12} {:>14.4f} {:<8} {:>10.4f} {:>12.4g}\n", r["estimate"].get<std::string>(),
                       r["exact"].get<bool>() ? "exact" : "upper bound", r["nll_nats"].get<double>(),
                       r["unit"].get<std::string>(), r["bits_per_dim"].get<double>(),
                       r["perplexity_per_dim"].get<double>());
  return out;
}

}  // namespace gencli
