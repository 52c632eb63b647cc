#pragma once
// One format for every family's test likelihood, so `gencli eval` can print them side by side:
// each likelihood family adds rows to its eval result under "likelihood".
#include <nlohmann/json.hpp>

#include <string>

namespace gencli {

// A negative log-likelihood on the test split: `nats` per `unit` (an image, a token, an audio
// sample) of `dims` dimensions each. `exact`: false for a bound (the NLL is at most this).
// `data` says what was scored ("binarized once, seed 1234", "8-bit pixels"): rows are only
// comparable when it matches.
nlohmann::json likelihood_row(const std::string& estimate, bool exact, double nats, const std::string& unit,
                              int64_t dims, const std::string& data);

// Appends a row to result["likelihood"].
void add_likelihood_row(nlohmann::json& result, nlohmann::json row);

// The rows as an aligned table (empty when there are none).
std::string format_likelihood_table(const nlohmann::json& rows);

}  // namespace gencli
