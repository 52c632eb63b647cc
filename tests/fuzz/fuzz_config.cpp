// Config loading: read_config_file on a JSON text with --set assignments. The input is the
// JSON text, a NUL byte, then one assignment per line. A config that loads must survive
// config_to_json and loading again unchanged, as a checkpoint's config does.
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "core/config.h"
#include "fuzz_common.h"

using namespace gencli;

namespace {

// Core leaves the model section to the families; any object with a string type will do here.
nlohmann::json resolve_model(const nlohmann::json& model) {
  if (!model.is_object()) throw ConfigError("model: expected an object");
  if (!model.contains("type") || !model.at("type").is_string())
    throw ConfigError("model.type: expected a string");
  return model;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::MemoryFile file("fuzz_config");
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string json_text = input.substr(0, nul);
  std::vector<std::string> overrides;
  if (nul != std::string::npos) {
    std::istringstream lines(input.substr(nul + 1));
    for (std::string line; std::getline(lines, line);) overrides.push_back(line);
  }
  const std::string& path =
      file.hold(reinterpret_cast<const uint8_t*>(json_text.data()), json_text.size());

  Config config;
  if (!fuzz::accepts("", [&] { config = read_config_file(path, overrides, resolve_model); }))
    return 0;
  nlohmann::json written;
  std::string text;
  if (!fuzz::accepts("", [&] {
        written = config_to_json(config);
        text = written.dump();
      }))
    fuzz::finding("a loaded config cannot be written as JSON");
  if (!fuzz::accepts("", [&] {
        const Config again = parse_config(nlohmann::json::parse(text), resolve_model);
        if (config_to_json(again) != written) fuzz::finding("config changed when loaded again");
      }))
    fuzz::finding("a written config does not load again: " + text.substr(0, 200));
  return 0;
}
