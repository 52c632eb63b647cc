#include "io/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/errors.h"
#include "io/atomic_file.h"

namespace gencli {

namespace fs = std::filesystem;

namespace key = checkpoint_key;

namespace {
const char* kFormatTag = "gencli-checkpoint";
}

void write_checkpoint_header(torch::serialize::OutputArchive& archive, const CheckpointHeader& h) {
  archive.write(key::kFormat, c10::IValue(std::string(kFormatTag)));
  archive.write(key::kFormatVersion, c10::IValue(h.format_version));
  archive.write(key::kGencliVersion, c10::IValue(h.gencli_version));
  archive.write(key::kModelType, c10::IValue(h.model_type));
  archive.write(key::kStep, c10::IValue(h.step));
  archive.write(key::kConfig, c10::IValue(h.config.dump()));
}

void save_archive_atomically(torch::serialize::OutputArchive& archive, const std::string& path) {
  write_atomically(path, [&](const std::string& tmp) { archive.save_to(tmp); });
}

OpenedCheckpoint open_checkpoint(const std::string& path, const torch::Device& device) {
  if (!fs::exists(path)) throw UserError("checkpoint error: " + path + ": no such file");
  OpenedCheckpoint c;
  try {
    c.archive.load_from(path, device);
  } catch (const c10::Error& e) {
    throw UserError("checkpoint error: " + path + ": not a readable checkpoint (truncated or not a LibTorch archive)");
  }
  c10::IValue tag, version, gencli_version, type, step, config;
  if (!c.archive.try_read(key::kFormat, tag) || !tag.isString() || tag.toStringRef() != kFormatTag)
    throw UserError("checkpoint error: " + path + ": not a gencli checkpoint");
  c.archive.read(key::kFormatVersion, version);
  if (version.toInt() > kCheckpointFormatVersion)
    throw UserError("checkpoint error: " + path + ": format version " + std::to_string(version.toInt()) +
                    " is newer than this gencli reads (" + std::to_string(kCheckpointFormatVersion) + ")");
  c.archive.read(key::kGencliVersion, gencli_version);
  c.archive.read(key::kModelType, type);
  c.archive.read(key::kStep, step);
  c.archive.read(key::kConfig, config);
  c.header.format_version = version.toInt();
  c.header.gencli_version = gencli_version.toStringRef();
  c.header.model_type = type.toStringRef();
  c.header.step = step.toInt();
  c.header.config = nlohmann::json::parse(config.toStringRef());
  return c;
}

bool read_section(torch::serialize::InputArchive& archive, const std::string& key,
                  torch::serialize::InputArchive& section) {
  return archive.try_read(key, section);
}

std::string checkpoint_dir(const std::string& run_dir) { return (fs::path(run_dir) / "checkpoints").string(); }

std::string last_checkpoint_path(const std::string& run_dir) {
  return (fs::path(checkpoint_dir(run_dir)) / "last.pt").string();
}

std::string step_checkpoint_path(const std::string& run_dir, int64_t step) {
  char name[32];
  std::snprintf(name, sizeof name, "step-%08lld.pt", static_cast<long long>(step));
  return (fs::path(checkpoint_dir(run_dir)) / name).string();
}

namespace {

// Makes `name` another name for the file at `path`, atomically: readers see the old or the new
// file, never half of one. A hard link shares the bytes (so pruning step files keeps it intact).
void link_atomically(const std::string& path, const std::string& name) {
  const std::string tmp = name + ".tmp." + std::to_string(::getpid());
  fs::remove(tmp);
  std::error_code ec;
  fs::create_hard_link(path, tmp, ec);
  if (ec) fs::copy_file(path, tmp, fs::copy_options::overwrite_existing);  // no hard links here
  fs::rename(tmp, name);
}

}  // namespace

std::string best_checkpoint_path(const std::string& run_dir) {
  return (fs::path(checkpoint_dir(run_dir)) / "best.pt").string();
}

void publish_best_checkpoint(const std::string& run_dir, const std::string& step_path) {
  link_atomically(step_path, best_checkpoint_path(run_dir));
}

void publish_checkpoint(const std::string& run_dir, const std::string& step_path, int64_t keep) {
  link_atomically(step_path, last_checkpoint_path(run_dir));

  std::vector<std::string> steps;
  for (const auto& entry : fs::directory_iterator(checkpoint_dir(run_dir))) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("step-", 0) == 0 && entry.path().extension() == ".pt") steps.push_back(entry.path().string());
  }
  std::sort(steps.begin(), steps.end());  // zero-padded step numbers sort in time order
  for (size_t i = 0; i + keep < steps.size(); ++i) fs::remove(steps[i]);
}

}  // namespace gencli
