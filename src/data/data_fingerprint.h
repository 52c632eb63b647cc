#pragma once
// A fingerprint of a run's training data: which bytes a model was trained on, so a checkpoint,
// a sample or a report can say so and a resumed run can tell that its data changed.
//
// The digest is SHA-256 over, per data file in sorted order of its name relative to the data
// root: the name's length (8 bytes, little-endian), the name, the file's size (8 bytes) and the
// SHA-256 of its contents (64 hex digits), after a header naming the format and data.type.
// Which files, by data.type:
//   idx           the four split files in data.root (raw or .gz, as idx::find_split_file finds them)
//   image_folder  every non-hidden .png/.jpg/.jpeg under data.root, at any depth (both splits;
//                 data.limit and data.test_fraction are config, not data, and are not covered)
//   audio_folder  the same with .wav
//   text          data.path (its name is the file name alone)
//   toy2d         no files: the digest covers the generator's parameters instead
//   none          digest "none"
//
// Content digests are cached per file by (size, mtime in ns), so fingerprinting the same data
// again reads nothing. Like make, a file rewritten with the same size and a forced-back mtime
// keeps its old digest. The cache is best effort: when it cannot be read or written the
// fingerprint is computed without it, and a corrupt cache file is ignored (then replaced).
// Torch-free.
#include <cstdint>
#include <string>

namespace gencli {

struct DataConfig;  // core/config.h; declared only, so including this header stays cheap

struct DataFingerprint {
  std::string digest;   // "sha256:<64 hex>", or "none" for data.type "none"
  int64_t files = 0;    // data files covered
  int64_t bytes = 0;    // their total size
  int64_t hashed = 0;   // files whose contents were read this call (the rest came from the cache)
};

// The fingerprint of the data config's files, using the cache at fingerprint_cache_path().
// Throws DataError (one line, naming the path) when a data file or folder is missing or unreadable.
DataFingerprint fingerprint_training_data(const DataConfig& config);

// The same with an explicit cache file; an empty cache_path means no cache.
DataFingerprint fingerprint_training_data(const DataConfig& config, const std::string& cache_path);

// Where the cache lives: $GENCLI_CACHE_DIR/fingerprints.json when that is set, else
// $XDG_CACHE_HOME/gencli/fingerprints.json (XDG_CACHE_HOME absolute), else
// $HOME/.cache/gencli/fingerprints.json; "" when none of them is set (then no cache).
std::string fingerprint_cache_path();

}  // namespace gencli
