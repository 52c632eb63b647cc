#include "models/config_loading.h"

#include "models/registry.h"

namespace gencli {

Config config_from_json(const nlohmann::json& j) { return parse_config(j, models::resolve_model_config); }

Config load_config_file(const std::string& path, const std::vector<std::string>& overrides) {
  return read_config_file(path, overrides, models::resolve_model_config);
}

}  // namespace gencli
