#pragma once
// A folder of data files as a labelled set with a deterministic split: what the folder data
// types (image_folder, audio_folder) share.
//
// Labels: when the root holds no wanted files itself but sub-folders that do, each immediate
// sub-folder is a class (sorted names -> 0..K-1, K must equal data.num_classes); otherwise
// every wanted file under the root (recursively) has label 0. Hidden files and folders are
// skipped.
// Split: there is none on disk, so the files are listed in sorted path order and every
// k-th one (index % k == 0, k = round(1 / data.test_fraction)) is the test split.
#include <string>
#include <vector>

#include "data/image_dataset.h"

namespace gencli {

// Which files a folder type reads, and how to name them in errors.
struct FileKind {
  std::vector<std::string> extensions;  // lower case, with the dot (".png"); matched case-insensitively
  std::string singular;                 // "image"
  std::string plural;                   // "PNG or JPEG images"
};

struct LabelledFile {
  std::string path;
  int64_t label = 0;
};

struct LabelledFolder {
  std::vector<LabelledFile> files;   // sorted by path within each class, classes in name order
  std::vector<std::string> classes;  // sub-folder names, or empty when the folder is unlabelled
};

// Lists the files of that kind under root. Throws DataError naming root when it is missing,
// has none or has an empty class folder.
LabelledFolder list_labelled_folder(const std::string& root, const FileKind& kind);

// The files of one split (see the split rule above).
std::vector<LabelledFile> split_files(const std::vector<LabelledFile>& files, double test_fraction, Split split);

// The split's files of data.root after the checks every folder type makes: the class folders
// match data.num_classes (ConfigError), there are at least 2 files (DataError), and data.limit
// cuts the training split.
std::vector<LabelledFile> list_split(const DataConfig& config, const FileKind& kind, Split split);

}  // namespace gencli
