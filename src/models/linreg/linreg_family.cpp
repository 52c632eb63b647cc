#include "models/linreg/linreg_family.h"

#include "core/config.h"
#include "core/errors.h"
#include "models/linreg/linreg_model.h"

namespace gencli::models {

namespace {

nlohmann::json resolve(const nlohmann::json& model) {
  auto c = config::read_section<linreg::LinregConfig>(model, "model");
  if (c.x.empty() || c.x.size() != c.y.size())
    throw ConfigError("model.y: expected as many numbers as model.x (" + std::to_string(c.x.size()) + "), got " +
                      std::to_string(c.y.size()));
  return config::write_section(c);
}

std::shared_ptr<Model> create(const Config& config) {
  if (config.data.type != "none")
    throw ConfigError("data.type: linreg carries its points in model.x and model.y, so data.type must be \"none\"");
  return std::make_shared<linreg::LinregModel>(config::read_section<linreg::LinregConfig>(config.model, "model"));
}

}  // namespace

Family linreg_family() {
  return {"linreg", "linear regression walkthrough: y = w x + b by autograd (--explain prints each step)", resolve,
          create};
}

}  // namespace gencli::models
