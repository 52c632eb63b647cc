#include "models/family_definition.h"

#include <algorithm>

namespace gencli::models {

void check_data_rule(const DataRule& rule, const DataConfig& data) {
  if (!rule.types.empty() && std::find(rule.types.begin(), rule.types.end(), data.type) == rule.types.end()) {
    std::string allowed;
    for (size_t i = 0; i < rule.types.size(); ++i)
      allowed += (i == 0 ? "" : i + 1 == rule.types.size() ? " or " : ", ") + ("\"" + rule.types[i] + "\"");
    throw ConfigError("data.type: " + rule.types_why + ", so data.type must be " + allowed + ", got \"" + data.type +
                      "\"");
  }
  if (!rule.range.empty() && data.range != rule.range)
    throw ConfigError("data.range: " + rule.range_why + ", so data.range must be \"" + rule.range + "\", got \"" +
                      data.range + "\"");
}

}  // namespace gencli::models
