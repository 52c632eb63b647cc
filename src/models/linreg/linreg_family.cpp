#include "models/linreg/linreg_family.h"

#include "models/family_definition.h"
#include "models/linreg/linreg_model.h"

namespace gencli::models {

Family linreg_family() {
  FamilyDefinition<linreg::LinregConfig> d;
  d.type = "linreg";
  d.description = "linear regression walkthrough: y = w x + b by autograd (--explain prints each step)";
  d.data.types = {"none"};
  d.data.types_why = "linreg carries its points in model.x and model.y";
  d.check = [](const linreg::LinregConfig& c) {
    if (c.x.empty() || c.x.size() != c.y.size())
      throw ConfigError("model.y: expected as many numbers as model.x (" + std::to_string(c.x.size()) + "), got " +
                        std::to_string(c.y.size()));
  };
  d.build = [](const linreg::LinregConfig& c, const Config&) { return std::make_shared<linreg::LinregModel>(c); };
  return define_family(d);
}

}  // namespace gencli::models
