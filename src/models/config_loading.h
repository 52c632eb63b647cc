#pragma once
// A whole config, its `model` section validated by the family model.type names. Everything
// above core reads configs through these two functions.
#include <string>
#include <vector>

#include "core/config.h"

namespace gencli {

// Parses and validates a config tree (throws ConfigError naming the JSON path).
Config config_from_json(const nlohmann::json& j);

// Reads a JSON file, applies `--set key.path=value` overrides, validates.
Config load_config_file(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace gencli
