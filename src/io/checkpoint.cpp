#include "io/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/config.h"
#include "core/errors.h"
#include "io/atomic_file.h"
#include "io/checkpoint_seal.h"

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
  if (!h.data_fingerprint.empty()) archive.write(key::kDataFingerprint, c10::IValue(h.data_fingerprint));
}

void save_archive_atomically(torch::serialize::OutputArchive& archive, const std::string& path) {
  std::string zip;
  archive.save_to([&zip](const void* data, size_t n) {
    zip.append(static_cast<const char*>(data), n);
    return n;
  });
  write_file_atomically(path, seal_archive(zip));
}

namespace {

std::string read_string(torch::serialize::InputArchive& archive, const char* name, const std::string& path) {
  c10::IValue v;
  if (!archive.try_read(name, v) || !v.isString())
    throw UserError("checkpoint error: " + path + ": the header has no " + name);
  return v.toStringRef();
}

int64_t read_int(torch::serialize::InputArchive& archive, const char* name, const std::string& path) {
  c10::IValue v;
  if (!archive.try_read(name, v) || !v.isInt()) throw UserError("checkpoint error: " + path + ": the header has no " + name);
  return v.toInt();
}

}  // namespace

OpenedCheckpoint open_checkpoint(const std::string& path, const torch::Device& device) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw UserError("checkpoint error: " + path + ": no such file");
  std::string bytes;
  try {
    bytes = read_file_bytes(path);  // refuses FIFOs and directories instead of blocking on them
  } catch (const DataError& e) {
    throw UserError(std::string("checkpoint error: ") + (e.what() + std::string("data error: ").size()));
  }
  const SealState seal = check_seal(bytes, path);
  OpenedCheckpoint c;
  try {
    c.archive.load_from(bytes.data(), bytes.size(), device);
  } catch (const c10::Error&) {
    throw UserError("checkpoint error: " + path + ": not a readable checkpoint (truncated or not a LibTorch archive)");
  }
  try {
    c10::IValue tag;
    if (!c.archive.try_read(key::kFormat, tag) || !tag.isString() || tag.toStringRef() != kFormatTag)
      throw UserError("checkpoint error: " + path + ": not a gencli checkpoint");
    c.header.format_version = read_int(c.archive, key::kFormatVersion, path);
    if (c.header.format_version > kCheckpointFormatVersion)
      throw UserError("checkpoint error: " + path + ": format version " + std::to_string(c.header.format_version) +
                      " is newer than this gencli reads (" + std::to_string(kCheckpointFormatVersion) + ")");
    if (c.header.format_version >= 2 && seal != SealState::kSealed)
      throw UserError("checkpoint error: " + path + ": corrupt (format version " +
                      std::to_string(c.header.format_version) + " files carry a digest, this one has none)");
    c.header.gencli_version = read_string(c.archive, key::kGencliVersion, path);
    c.header.model_type = read_string(c.archive, key::kModelType, path);
    c.header.step = read_int(c.archive, key::kStep, path);
    // Parsed as strictly as a config file (depth, repeated keys): the seal proves who wrote
    // the bytes only as far as anyone can compute a SHA-256.
    c.header.config = parse_config_text(read_string(c.archive, key::kConfig, path), path + " (its config)");
    c10::IValue fingerprint;
    if (c.archive.try_read(key::kDataFingerprint, fingerprint) && fingerprint.isString())
      c.header.data_fingerprint = fingerprint.toStringRef();
  } catch (const c10::Error&) {
    throw UserError("checkpoint error: " + path + ": unreadable header");
  } catch (const nlohmann::json::exception&) {
    throw UserError("checkpoint error: " + path + ": the config it holds is not valid JSON");
  }
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
  const std::string tmp = atomic_temp_path(name);
  std::error_code ec;
  fs::remove(tmp, ec);
  fs::create_hard_link(path, tmp, ec);
  if (ec) fs::copy_file(path, tmp, fs::copy_options::overwrite_existing, ec);  // no hard links here
  if (!ec) fs::rename(tmp, name, ec);
  if (ec) {
    fs::remove(tmp);
    throw UserError("cannot write " + name + ": " + ec.message());
  }
}

// The step files in the run's checkpoint folder, oldest first.
std::vector<std::string> step_files(const std::string& run_dir) {
  std::vector<std::string> steps;
  for (const auto& entry : fs::directory_iterator(checkpoint_dir(run_dir))) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("step-", 0) == 0 && entry.path().extension() == ".pt") steps.push_back(entry.path().string());
  }
  std::sort(steps.begin(), steps.end());  // zero-padded step numbers sort in time order
  return steps;
}

}  // namespace

std::string existing_step_checkpoint(const std::string& run_dir, int64_t step) {
  const std::string path = step_checkpoint_path(run_dir, step);
  return fs::is_regular_file(path) ? path : "";
}

int64_t roll_back_checkpoint(const std::string& run_dir, int64_t bad_step) {
  const std::string bad = step_checkpoint_path(run_dir, bad_step);
  int64_t earlier = -1;
  std::string earlier_path;
  for (const auto& path : step_files(run_dir)) {
    if (path >= bad) break;
    earlier_path = path;
  }
  if (!earlier_path.empty()) {
    earlier = std::stoll(fs::path(earlier_path).stem().string().substr(5));
    link_atomically(earlier_path, last_checkpoint_path(run_dir));
  } else {
    fs::remove(last_checkpoint_path(run_dir));
  }
  fs::remove(bad);
  return earlier;
}

std::string best_checkpoint_path(const std::string& run_dir) {
  return (fs::path(checkpoint_dir(run_dir)) / "best.pt").string();
}

void publish_best_checkpoint(const std::string& run_dir, const std::string& step_path) {
  link_atomically(step_path, best_checkpoint_path(run_dir));
}

void publish_checkpoint(const std::string& run_dir, const std::string& step_path, int64_t keep) {
  link_atomically(step_path, last_checkpoint_path(run_dir));
  const std::vector<std::string> steps = step_files(run_dir);
  const size_t kept = static_cast<size_t>(std::max<int64_t>(keep, 2));
  for (size_t i = 0; i + kept < steps.size(); ++i) fs::remove(steps[i]);
}

}  // namespace gencli
