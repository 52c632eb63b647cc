#include "core/config.h"

#include <fstream>
#include <sstream>

#include "core/errors.h"

namespace gencli {

namespace {

const std::vector<std::string> kSections = {"name", "model", "data", "train", "optim", "sample", "init"};

nlohmann::json section_or_null(const nlohmann::json& j, const char* key) {
  return j.contains(key) ? j.at(key) : nlohmann::json();
}

}  // namespace

Config parse_config(const nlohmann::json& j, const ModelSectionResolver& resolve_model) {
  if (!j.is_object()) throw ConfigError("the config must be a JSON object");
  for (const auto& item : j.items()) {
    bool known = false;
    for (const auto& s : kSections) known = known || item.key() == s;
    if (!known)
      throw ConfigError(item.key() + ": unknown section (known: name, model, data, train, optim, sample, init)");
  }
  Config c;
  if (j.contains("name")) {
    if (!j["name"].is_string() || j["name"].get<std::string>().empty())
      throw ConfigError("name: expected a non-empty string, got " + j["name"].dump());
    c.name = j["name"].get<std::string>();
  }
  c.model = resolve_model(section_or_null(j, "model"));
  c.data = config::read_section<DataConfig>(section_or_null(j, "data"), "data");
  c.train = config::read_section<TrainConfig>(section_or_null(j, "train"), "train");
  c.optim = config::read_section<OptimConfig>(section_or_null(j, "optim"), "optim");
  c.sample = config::read_section<SampleConfig>(section_or_null(j, "sample"), "sample");
  c.init = config::read_section<InitConfig>(section_or_null(j, "init"), "init");
  return c;
}

nlohmann::json config_to_json(const Config& c) {
  nlohmann::json j;
  j["name"] = c.name;
  j["model"] = c.model;
  j["data"] = config::write_section(c.data);
  j["train"] = config::write_section(c.train);
  j["optim"] = config::write_section(c.optim);
  j["sample"] = config::write_section(c.sample);
  j["init"] = config::write_section(c.init);
  return j;
}

void apply_override(nlohmann::json& tree, const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set " + assignment + ": expected key.path=value");
  std::string path = assignment.substr(0, eq);
  std::string text = assignment.substr(eq + 1);
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    value = text;  // bare words such as adam or data/mnist
  }
  nlohmann::json* node = &tree;
  std::stringstream parts(path);
  std::string part, walked;
  std::vector<std::string> keys;
  while (std::getline(parts, part, '.')) keys.push_back(part);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].empty()) throw ConfigError("--set " + assignment + ": empty key in path");
    if (!node->is_object()) {
      if (!node->is_null())
        throw ConfigError(walked + ": is not a section, cannot set " + path);
      *node = nlohmann::json::object();
    }
    walked += (walked.empty() ? "" : ".") + keys[i];
    node = &(*node)[keys[i]];
  }
  *node = value;  // unknown keys are caught when the tree is validated
}

Config read_config_file(const std::string& path, const std::vector<std::string>& overrides,
                        const ModelSectionResolver& resolve_model) {
  std::ifstream in(path);
  if (!in) throw UserError("config error: " + path + ": cannot open the file");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in, nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& e) {
    throw UserError("config error: " + path + ": not valid JSON (" + e.what() + ")");
  }
  for (const auto& o : overrides) apply_override(j, o);
  try {
    return parse_config(j, resolve_model);
  } catch (const ConfigError& e) {
    // Prefix the file so the one-line message says where to look.
    std::string what = e.what();
    throw ConfigError(path + ": " + what.substr(std::string("config error: ").size()));
  }
}

}  // namespace gencli
