#pragma once
// The one way to define a family's registry entry (models/registry.h) from its typed config
// section: the section is read and checked in one place, the data it accepts is stated as data
// (no family repeats the data.range check), and advice is printed only when a run trains.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/errors.h"
#include "models/model.h"
#include "models/registry.h"

namespace gencli::models {

// The data a family accepts: one of `types` for data.type and `range` for data.range (empty:
// any), and `why` each must be so ("the VAE models pixels in [0, 1]"), for the one-line error.
struct DataRule {
  std::vector<std::string> types;
  std::string types_why;
  std::string range;
  std::string range_why;
};

// Throws ConfigError naming data.type or data.range when `data` breaks `rule`.
void check_data_rule(const DataRule& rule, const DataConfig& data);

template <class Section>
struct FamilyDefinition {
  std::string type;         // the model.type value
  std::string description;  // one line for `gencli info`
  DataRule data;
  // Checks across the section's fields, beyond each field's own constraint (may be empty).
  std::function<void(const Section&)> check;
  // Checks across sections, before the model is built (may be empty).
  std::function<void(const Section&, const Config&)> check_config;
  // Builds the model on the CPU.
  std::function<std::shared_ptr<Model>(const Section&, const Config&)> build;
  // Warnings worth reading before a run trains (may be empty); never printed by sample or eval.
  std::function<void(const Section&, const Config&)> advise;
  // Fills model keys that depend on the data or on init.from (may be empty; see Family).
  std::function<void(Config&)> complete_config;
};

template <class Section>
Family define_family(FamilyDefinition<Section> d) {
  auto def = std::make_shared<const FamilyDefinition<Section>>(std::move(d));
  auto read = [](const nlohmann::json& model) { return config::read_section<Section>(model, "model"); };
  Family f;
  f.type = def->type;
  f.description = def->description;
  f.resolve_config = [def, read](const nlohmann::json& model) {
    Section s = read(model);
    if (def->check) def->check(s);
    return config::write_section(s);
  };
  f.create = [def, read](const Config& config) {
    check_data_rule(def->data, config.data);
    const Section s = read(config.model);
    if (def->check_config) def->check_config(s, config);
    return def->build(s, config);
  };
  if (def->advise) f.advise = [def, read](const Config& config) { def->advise(read(config.model), config); };
  f.complete_config = def->complete_config;
  return f;
}

}  // namespace gencli::models
