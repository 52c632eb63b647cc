#pragma once
// Maps `model.type` to a family: how to validate its config section and build it.
// Adding a family = a folder under src/models/, one entry in registry.cpp, configs
// (docs/ARCHITECTURE.md walks through it). Families are defined with define_family()
// (models/family_definition.h).
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gencli {
struct Config;
class Model;
}

namespace gencli::models {

struct Family {
  std::string type;         // the model.type value
  std::string description;  // one line for `gencli info`
  // Validates a `model` section and returns it with every default filled in.
  std::function<nlohmann::json(const nlohmann::json& model)> resolve_config;
  // Builds the model (on CPU; the caller moves it to the device). Use create_model() instead.
  std::function<std::shared_ptr<Model>(const Config& config)> create;
  // Optional: fills model keys that depend on the data or on init.from before a run starts
  // (GPT: the character vocabulary of data.path, or a base checkpoint's architecture).
  std::function<void(Config& config)> complete_config = nullptr;
  // Optional: warnings about a config that trains badly; printed when training starts only.
  std::function<void(const Config& config)> advise = nullptr;
};

const std::vector<Family>& families();
const Family& family(const std::string& type);  // throws ConfigError listing the known types
std::string known_types();                      // "gan, linreg"

// Reads model.type, then lets that family validate the rest of the section.
nlohmann::json resolve_model_config(const nlohmann::json& model);

// Builds the model a resolved config describes (on the CPU), whatever its family.
std::shared_ptr<Model> create_model(const Config& config);

}  // namespace gencli::models
