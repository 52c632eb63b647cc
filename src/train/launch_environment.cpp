#include "train/launch_environment.h"

#include <cstdlib>
#include <vector>

#include "core/errors.h"

namespace gencli {

namespace {

const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;
}

int64_t env_integer(const char* name, int64_t lo, int64_t hi) {
  const std::string text = env(name);
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || value < lo || value > hi)
    throw UserError(std::string("environment: ") + name + "=" + text + " is not a whole number from " +
                    std::to_string(lo) + " to " + std::to_string(hi));
  return value;
}

}  // namespace

LaunchEnvironment read_launch_environment() {
  const std::vector<const char*> required = {"RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"};
  std::string set, missing;
  for (const char* name : required) {
    std::string& list = env(name) ? set : missing;
    list += (list.empty() ? "" : ", ") + std::string(name);
  }
  LaunchEnvironment e;
  if (set.empty()) return e;
  if (!missing.empty())
    throw UserError("environment: " + set + " set but not " + missing +
                    " (a data-parallel run needs RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT, as torchrun sets them)");
  e.launched = true;
  e.world_size = env_integer("WORLD_SIZE", 1, 1 << 20);
  e.rank = env_integer("RANK", 0, e.world_size - 1);
  e.local_rank = env("LOCAL_RANK") ? env_integer("LOCAL_RANK", 0, e.world_size - 1) : e.rank;
  e.local_world_size = env("LOCAL_WORLD_SIZE") ? env_integer("LOCAL_WORLD_SIZE", 1, e.world_size) : e.world_size;
  e.master_addr = env("MASTER_ADDR");
  e.master_port = static_cast<int>(env_integer("MASTER_PORT", 1, 65535));
  const char* agent = env("TORCHELASTIC_USE_AGENT_STORE");
  e.launcher_hosts_store = agent && (std::string(agent) == "True" || std::string(agent) == "true" || std::string(agent) == "1");
  return e;
}

}  // namespace gencli
