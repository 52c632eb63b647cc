#include "data/labelled_folder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "core/errors.h"

namespace gencli {

namespace fs = std::filesystem;

namespace {

bool is_wanted(const fs::path& p, const FileKind& kind) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(kind.extensions.begin(), kind.extensions.end(), ext) != kind.extensions.end();
}

bool is_hidden(const fs::path& p) { return p.filename().string().rfind('.', 0) == 0; }

// Wanted files under dir at any depth, sorted so every run sees the same order.
std::vector<std::string> files_under(const fs::path& dir, const FileKind& kind) {
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink);
       it != fs::recursive_directory_iterator(); ++it) {
    if (is_hidden(it->path())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && is_wanted(it->path(), kind)) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

LabelledFolder list_labelled_folder(const std::string& root, const FileKind& kind) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw DataError("data.root " + root + ": not a folder");
  LabelledFolder listing;
  bool files_at_top = false;
  std::vector<std::string> subfolders;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (is_hidden(entry.path())) continue;
    if (entry.is_directory()) subfolders.push_back(entry.path().filename().string());
    else if (entry.is_regular_file() && is_wanted(entry.path(), kind)) files_at_top = true;
  }
  std::sort(subfolders.begin(), subfolders.end());

  if (files_at_top || subfolders.empty()) {
    for (auto& path : files_under(root, kind)) listing.files.push_back({std::move(path), 0});
  } else {
    for (const auto& name : subfolders) {
      std::vector<std::string> paths = files_under(fs::path(root) / name, kind);
      if (paths.empty()) throw DataError("data.root " + root + ": class folder " + name + " has no " + kind.plural);
      const auto label = static_cast<int64_t>(listing.classes.size());
      listing.classes.push_back(name);
      for (auto& path : paths) listing.files.push_back({std::move(path), label});
    }
  }
  if (listing.files.empty()) throw DataError("data.root " + root + ": no " + kind.plural + " found");
  return listing;
}

std::vector<LabelledFile> split_files(const std::vector<LabelledFile>& files, double test_fraction, Split split) {
  const auto every = std::max<int64_t>(1, std::llround(1.0 / test_fraction));
  std::vector<LabelledFile> out;
  for (size_t i = 0; i < files.size(); ++i) {
    const bool test = static_cast<int64_t>(i) % every == 0;
    if (test == (split == Split::Test)) out.push_back(files[i]);
  }
  return out;
}

std::vector<LabelledFile> list_split(const DataConfig& config, const FileKind& kind, Split split) {
  const LabelledFolder listing = list_labelled_folder(config.root, kind);
  if (!listing.classes.empty() && static_cast<int64_t>(listing.classes.size()) != config.num_classes)
    throw ConfigError("data.num_classes: " + config.root + " has " + std::to_string(listing.classes.size()) +
                      " class folders, but data.num_classes is " + std::to_string(config.num_classes));
  if (listing.files.size() < 2)
    throw DataError("data.root " + config.root + ": found 1 " + kind.singular +
                    "; need at least 2 (one is held out for testing)");
  std::vector<LabelledFile> files = split_files(listing.files, config.test_fraction, split);
  if (split == Split::Train && config.limit > 0 && static_cast<int64_t>(files.size()) > config.limit)
    files.resize(static_cast<size_t>(config.limit));  // no point decoding what would be cut off
  return files;
}

}  // namespace gencli
