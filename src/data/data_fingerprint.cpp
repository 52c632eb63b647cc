#include "data/data_fingerprint.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>
#include <vector>

#include "core/config.h"
#include "core/errors.h"
#include "data/idx.h"
#include "io/atomic_file.h"
#include "io/sha256.h"

namespace gencli {

namespace fs = std::filesystem;

namespace {

// Bumped whenever the framing below changes, so old and new digests never collide.
constexpr const char* kFormat = "gencli-data-fingerprint 1\n";
constexpr const char* kCacheFormat = "gencli-fingerprint-cache";
constexpr int kCacheVersion = 1;

struct DataFile {
  std::string name;  // relative to the data root; what the digest covers
  std::string path;  // what is read
};

// The listing criteria of data/labelled_folder.cpp (which pulls LibTorch through its header):
// regular files with a wanted extension, any depth, directory symlinks followed, hidden files
// and folders skipped. Class folders or not, that is every file the loader reads for either split.
bool has_extension(const fs::path& p, const std::vector<std::string>& extensions) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(extensions.begin(), extensions.end(), ext) != extensions.end();
}

bool is_hidden(const fs::path& p) { return p.filename().string().rfind('.', 0) == 0; }

std::vector<DataFile> folder_files(const std::string& root, const std::vector<std::string>& extensions,
                                   const std::string& plural) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw DataError("data.root " + root + ": not a folder");
  std::vector<DataFile> out;
  try {
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink);
         it != fs::recursive_directory_iterator(); ++it) {
      if (is_hidden(it->path())) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file() && has_extension(it->path(), extensions))
        out.push_back({it->path().lexically_relative(root).generic_string(), it->path().string()});
    }
  } catch (const fs::filesystem_error& e) {
    throw DataError("data.root " + root + ": cannot list (" + e.code().message() + ")");
  }
  if (out.empty()) throw DataError("data.root " + root + ": no " + plural + " found");
  return out;
}

std::vector<DataFile> data_files(const DataConfig& config) {
  std::vector<DataFile> files;
  if (config.type == "idx" || config.type == "canvas") {
    for (const char* stem : {idx::kTrainImagesStem, idx::kTrainLabelsStem, idx::kTestImagesStem,
                             idx::kTestLabelsStem}) {
      std::string path = idx::find_split_file(config.root, stem);
      files.push_back({fs::path(path).filename().string(), std::move(path)});
    }
  } else if (config.type == "image_folder") {
    files = folder_files(config.root, {".png", ".jpg", ".jpeg"}, "PNG or JPEG images");
  } else if (config.type == "captioned_folder") {
    files = folder_files(config.root, {".png", ".jpg", ".jpeg", ".txt"}, "PNG or JPEG images");
  } else if (config.type == "audio_folder") {
    files = folder_files(config.root, {".wav"}, "WAV files");
  } else if (config.type == "text") {
    std::error_code ec;
    if (!fs::is_regular_file(config.path, ec))
      throw DataError(config.path + ": cannot read the text file (data.path)");
    files.push_back({fs::path(config.path).filename().string(), config.path});
  } else {
    throw ConfigError("data.type: no fingerprint for \"" + config.type + "\"");
  }
  // Byte order of the names, so the digest does not depend on the locale or the listing order.
  std::sort(files.begin(), files.end(), [](const DataFile& a, const DataFile& b) { return a.name < b.name; });
  return files;
}

struct FileStat {
  int64_t size = 0;
  int64_t mtime_ns = 0;
};

FileStat stat_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw DataError(path + ": cannot read (" + std::strerror(errno) + ")");
#ifdef __APPLE__
  const auto& mtime = st.st_mtimespec;
#else
  const auto& mtime = st.st_mtim;
#endif
  return {static_cast<int64_t>(st.st_size), static_cast<int64_t>(mtime.tv_sec) * 1000000000 + mtime.tv_nsec};
}

// Content digests by absolute path, valid while size and mtime are unchanged. Every failure to
// read or write it is swallowed: the cache only saves time, it never decides whether a run works.
class DigestCache {
 public:
  explicit DigestCache(std::string path) : path_(std::move(path)) {
    if (path_.empty()) return;
    std::error_code ec;
    if (!fs::exists(path_, ec)) return;
    try {
      nlohmann::json doc = nlohmann::json::parse(read_file_bytes(path_), nullptr, /*allow_exceptions=*/false);
      if (doc.is_object() && doc.value("format", "") == kCacheFormat && doc.value("version", 0) == kCacheVersion &&
          doc.contains("files") && doc["files"].is_object())
        files_ = std::move(doc["files"]);
    } catch (const std::exception&) {
      files_ = nlohmann::json::object();  // unreadable or the wrong shape: start afresh
    }
  }

  // The digest of path's contents; `hashed` is set when they had to be read.
  std::string digest(const std::string& path, const FileStat& st, bool& hashed) {
    std::error_code ec;
    fs::path abs = fs::absolute(path, ec);
    const std::string key = ec ? path : abs.lexically_normal().string();
    if (std::string hex; cached(key, st, hex)) {
      hashed = false;
      return hex;
    }
    // stat came before this read: a file changed meanwhile has a newer mtime next time, so a
    // digest of half-old contents is never trusted twice.
    std::string hex = sha256_file_hex(path);
    hashed = true;
    files_[key] = {{"size", st.size}, {"mtime_ns", st.mtime_ns}, {"sha256", hex}};
    dirty_ = true;
    return hex;
  }

  // An entry of any other shape than the one digest() writes counts as absent.
  bool cached(const std::string& key, const FileStat& st, std::string& hex) const {
    const auto it = files_.find(key);
    if (it == files_.end() || !it->is_object()) return false;
    const auto size = it->find("size");
    const auto mtime = it->find("mtime_ns");
    const auto sha = it->find("sha256");
    if (size == it->end() || mtime == it->end() || sha == it->end()) return false;
    if (!size->is_number_integer() || !mtime->is_number_integer() || !sha->is_string()) return false;
    if (size->get<int64_t>() != st.size || mtime->get<int64_t>() != st.mtime_ns) return false;
    hex = sha->get<std::string>();
    return hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
             return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
  }

  void save() {
    if (path_.empty() || !dirty_) return;
    try {
      // Entries of files that are gone would only grow the file.
      for (auto it = files_.begin(); it != files_.end();) {
        std::error_code ec;
        if (fs::exists(it.key(), ec)) ++it;
        else it = files_.erase(it);
      }
      std::error_code ec;
      const fs::path parent = fs::path(path_).parent_path();
      if (!parent.empty()) fs::create_directories(parent, ec);
      const nlohmann::json doc = {{"format", kCacheFormat}, {"version", kCacheVersion}, {"files", files_}};
      write_file_atomically(path_, doc.dump(1) + "\n");
    } catch (const std::exception&) {
      // A read-only home, a full disk, a path that is not UTF-8: the next run hashes again.
    }
  }

 private:
  std::string path_;
  nlohmann::json files_ = nlohmann::json::object();
  bool dirty_ = false;
};

void put_u64(Sha256& h, uint64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
  h.update(b, sizeof b);
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

std::string fingerprint_cache_path() {
  if (const std::string dir = env("GENCLI_CACHE_DIR"); !dir.empty()) return (fs::path(dir) / "fingerprints.json").string();
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and is to be ignored.
  if (const std::string xdg = env("XDG_CACHE_HOME"); !xdg.empty() && fs::path(xdg).is_absolute())
    return (fs::path(xdg) / "gencli" / "fingerprints.json").string();
  if (const std::string home = env("HOME"); !home.empty())
    return (fs::path(home) / ".cache" / "gencli" / "fingerprints.json").string();
  return "";
}

DataFingerprint fingerprint_training_data(const DataConfig& config) {
  return fingerprint_training_data(config, fingerprint_cache_path());
}

DataFingerprint fingerprint_training_data(const DataConfig& config, const std::string& cache_path) {
  DataFingerprint out;
  if (config.type == "none") {
    out.digest = "none";
    return out;
  }
  if (config.type == "toy2d") {
    // Generated data: the generator's parameters determine every point of both splits.
    out.digest = "sha256:" + sha256_hex("toy2d:" + config.toy + ":" + std::to_string(config.toy_points) + ":" +
                                        std::to_string(config.toy_seed));
    return out;
  }

  const std::vector<DataFile> files = data_files(config);
  DigestCache cache(cache_path);
  Sha256 h;
  h.update(kFormat, std::strlen(kFormat));
  put_u64(h, config.type.size());
  h.update(config.type.data(), config.type.size());
  put_u64(h, files.size());
  for (const DataFile& f : files) {
    const FileStat st = stat_file(f.path);
    bool hashed = false;
    const std::string content = cache.digest(f.path, st, hashed);
    put_u64(h, f.name.size());
    h.update(f.name.data(), f.name.size());
    put_u64(h, static_cast<uint64_t>(st.size));
    h.update(content.data(), content.size());
    out.files += 1;
    out.bytes += st.size;
    out.hashed += hashed ? 1 : 0;
  }
  if (config.type == "canvas") {
    // The canvases are drawn from the files by the grammar: its names and held-out objects are
    // part of what the run trained on.
    std::string grammar;
    for (const auto& name : config.class_names) grammar += "name:" + name + "\n";
    for (const auto& object : config.held_out) grammar += "held_out:" + object + "\n";
    put_u64(h, grammar.size());
    h.update(grammar.data(), grammar.size());
  }
  cache.save();
  out.digest = "sha256:" + h.hex_digest();
  return out;
}

}  // namespace gencli
