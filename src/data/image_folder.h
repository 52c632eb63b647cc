#pragma once
// `data.type: "image_folder"`: a folder of PNG/JPEG files as a labelled image set.
//
// Labels: when data.root holds no images itself but sub-folders that do, each immediate
// sub-folder is a class (sorted names -> 0..K-1, K must equal data.num_classes); otherwise
// every image under data.root (recursively) has label 0.
// Split: there is none on disk, so the files are listed in sorted path order and every
// k-th one (index % k == 0, k = round(1 / data.test_fraction)) is the test split.
#include <string>
#include <vector>

#include "data/image_dataset.h"

namespace gencli {

struct ImageFile {
  std::string path;
  int64_t label = 0;
};

struct ImageFolderListing {
  std::vector<ImageFile> files;      // sorted by path within each class, classes in name order
  std::vector<std::string> classes;  // sub-folder names, or empty when the folder is unlabelled
};

// Lists the image files under root. Throws DataError naming root when it is missing or has no images.
ImageFolderListing list_image_folder(const std::string& root);

// The files of one split (see the split rule above).
std::vector<ImageFile> split_files(const std::vector<ImageFile>& files, double test_fraction, Split split);

// Decodes, resizes and centre-crops the split's images: (N, channels, image_size, image_size)
// in data.range, labels (N) int64.
ImageDataset load_image_folder(const DataConfig& config, Split split);

}  // namespace gencli
