#include "core/config.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/errors.h"

namespace gencli {

namespace {

const std::vector<std::string> kSections = {"name", "model", "data", "train", "optim", "sample", "init"};

nlohmann::json section_or_null(const nlohmann::json& j, const char* key) {
  return j.contains(key) ? j.at(key) : nlohmann::json();
}

// `name` becomes the folder runs/<name>: one plain folder name, so a config cannot place a run elsewhere.
void check_run_name(const nlohmann::json& name) {
  if (!name.is_string() || name.get<std::string>().empty())
    throw ConfigError("name: expected a non-empty string, got " + config::echo(name));
  const std::string& s = name.get_ref<const std::string&>();
  bool plain = s[0] != '.';
  for (char ch : s) plain = plain && ch != '/' && ch != '\\' && static_cast<unsigned char>(ch) >= 0x20;
  if (!plain)
    throw ConfigError("name: " + config::echo(name) +
                      " is not a plain folder name (the run goes to runs/<name>: no '/', '\\', control "
                      "characters or leading '.')");
}

// Follows the parser through the document: the key path it is at (for messages), the keys seen
// in each open object (a repeated key would otherwise silently replace the first), and the depth.
class JsonTracker {
 public:
  explicit JsonTracker(std::string source) : source_(std::move(source)) {}

  bool on_event(int depth, nlohmann::json::parse_event_t event, const nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    switch (event) {
      case E::object_start:
      case E::array_start:
        // Refused at the first level too many, so the partial tree stays shallow as it is freed.
        if (depth >= kMaxConfigNesting)
          throw ConfigError(where() + "nested deeper than " + std::to_string(kMaxConfigNesting) + " levels");
        frames_.push_back({event == E::array_start, {}, "", 0});
        break;
      case E::key: {
        Frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second) throw ConfigError(where() + "key given twice in one object");
        break;
      }
      case E::object_end:
      case E::array_end:
        frames_.pop_back();
        next_element();
        break;
      case E::value:
        next_element();
        break;
    }
    return true;
  }

  // "SOURCE: a.b[2]: " (or "SOURCE: " at the top level).
  std::string where() const {
    std::string path;
    for (const Frame& f : frames_) {
      if (f.array)
        path += "[" + std::to_string(f.index) + "]";
      else if (!f.key.empty())
        path += (path.empty() ? "" : ".") + f.key;
    }
    return source_ + ": " + (path.empty() ? "" : config::echo_text(path) + ": ");
  }

 private:
  struct Frame {
    bool array;
    std::set<std::string> keys;
    std::string key;   // objects: the key being read
    size_t index;      // arrays: the element being read
  };

  void next_element() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  std::string source_;
  std::vector<Frame> frames_;
};

// Parses with the tracker's checks. Syntax errors stay nlohmann's parse_error (apply_override
// takes such text as a string); a number beyond a double becomes a ConfigError naming the key.
nlohmann::json parse_tracked(const std::string& text, const std::string& source) {
  JsonTracker tracker(source);
  try {
    return nlohmann::json::parse(
        text, [&tracker](int depth, nlohmann::json::parse_event_t event,
                         nlohmann::json& parsed) { return tracker.on_event(depth, event, parsed); },
        /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::out_of_range& e) {
    // nlohmann's 406: "number overflow parsing '1e999'".
    std::string what = e.what();
    const auto text_at = what.find("number overflow");
    throw ConfigError(tracker.where() +
                      (text_at == std::string::npos ? what : config::echo_text(what.substr(text_at))) +
                      " (beyond the range of a double)");
  }
}

// Each key path in a --set and the override itself, so errors under it can name it.
std::vector<std::string> split_key_path(const std::string& path, const std::string& assignment) {
  std::vector<std::string> keys;
  size_t start = 0;
  while (true) {  // not std::getline: it drops a trailing empty part ("a.b.")
    const size_t dot = path.find('.', start);
    keys.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (keys.back().empty())
      throw ConfigError("--set " + config::echo_text(assignment) + ": empty key in the path " +
                        config::echo_text(path));
    if (dot == std::string::npos) return keys;
    start = dot + 1;
  }
}

std::string override_path(const std::string& assignment) { return assignment.substr(0, assignment.find('=')); }

// Whether an error about `key` (the text before the first ": ") lies under the key path a --set
// wrote, or above it (an unknown section the --set made).
bool under_override(const std::string& key, const std::string& set_path) {
  auto starts = [](const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; };
  return key == set_path || starts(key, set_path + ".") || starts(key, set_path + "[") || starts(set_path, key + ".");
}

// The whole file; a directory or a FIFO is refused before it is opened (a FIFO would block).
std::string read_config_text(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::directory)
    throw ConfigError(path + ": is a directory, not a config file");
  if (!ec && std::filesystem::exists(status) && status.type() != std::filesystem::file_type::regular)
    throw ConfigError(path + ": is not a regular file (a FIFO, socket or device), not a config file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open the file");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": cannot read the file");
  return bytes.str();
}

// Without the "config error: " prefix.
std::string bare(const ConfigError& e) { return std::string(e.what()).substr(std::string("config error: ").size()); }

// A last bound on messages built elsewhere (a family's check) that echo a value whole.
std::string bounded(const std::string& message) {
  constexpr size_t kLimit = 1000;
  if (message.size() <= kLimit) return message;
  size_t cut = kLimit;
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
  return message.substr(0, cut) + "… (" + std::to_string(message.size()) + " bytes)";
}

}  // namespace

Config parse_config(const nlohmann::json& j, const ModelSectionResolver& resolve_model) {
  if (!j.is_object()) throw ConfigError("the config must be a JSON object");
  for (const auto& item : j.items()) {
    bool known = false;
    for (const auto& s : kSections) known = known || item.key() == s;
    if (!known)
      throw ConfigError(config::echo_text(item.key()) +
                        ": unknown section (known: name, model, data, train, optim, sample, init)");
  }
  Config c;
  if (j.contains("name")) {
    check_run_name(j["name"]);
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

nlohmann::json parse_config_text(const std::string& text, const std::string& source) {
  try {
    return parse_tracked(text, source);
  } catch (const nlohmann::json::exception& e) {
    constexpr size_t kLimit = 400;  // nlohmann quotes the last token read, which can be long
    std::string what = e.what();
    if (what.size() > kLimit) what = what.substr(0, kLimit) + "…";
    throw ConfigError(source + ": not valid JSON (" + what + ")");
  }
}

void apply_override(nlohmann::json& tree, const std::string& assignment) {
  const std::string shown = "--set " + config::echo_text(assignment);
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw ConfigError(shown + ": expected key.path=value");
  std::string path = assignment.substr(0, eq);
  std::string text = assignment.substr(eq + 1);
  const std::vector<std::string> keys = split_key_path(path, assignment);
  nlohmann::json value;
  try {
    value = parse_tracked(text, shown);  // too deep, a repeated key, 1e999: ConfigErrors
  } catch (const nlohmann::json::parse_error&) {
    value = text;  // bare words such as adam or data/mnist
  }
  // A config is JSON text, so every string in it must be UTF-8 (JSON files are checked by the
  // parser; a bare word or a key from the command line is not).
  for (const std::string& s : {text, path}) {
    try {
      (void)nlohmann::json(s).dump();
    } catch (const nlohmann::json::type_error&) {
      throw ConfigError(shown + ": not valid UTF-8 text");
    }
  }
  nlohmann::json* node = &tree;
  std::string walked;
  for (const auto& key : keys) {
    if (!node->is_object()) {
      if (!node->is_null())
        throw ConfigError(shown + ": " + walked + " is not a section, cannot set " + config::echo_text(path));
      *node = nlohmann::json::object();
    }
    walked += (walked.empty() ? "" : ".") + key;
    node = &(*node)[key];
  }
  *node = value;  // unknown keys are caught when the tree is validated
}

Config read_config_file(const std::string& path, const std::vector<std::string>& overrides,
                        const ModelSectionResolver& resolve_model) {
  nlohmann::json j = parse_config_text(read_config_text(path), path);
  for (const auto& o : overrides) apply_override(j, o);
  try {
    return parse_config(j, resolve_model);
  } catch (const ConfigError& e) {
    // Name where to look: the --set that wrote the key at fault (the last one wins), else the file.
    const std::string what = bounded(bare(e));
    const std::string key = what.substr(0, what.find(": "));
    for (auto o = overrides.rbegin(); o != overrides.rend(); ++o)
      if (under_override(key, override_path(*o)))
        throw ConfigError("--set " + config::echo_text(*o) + ": " + what + " (config file " + path + ")");
    throw ConfigError(path + ": " + what);
  }
}

}  // namespace gencli
