#pragma once
// `data.type: "image_folder"`: a folder of PNG/JPEG files as a labelled image set. Labels
// (class sub-folders) and the split follow data/labelled_folder.h.
#include <string>
#include <vector>

#include "data/image_dataset.h"
#include "data/labelled_folder.h"

namespace gencli {

using ImageFile = LabelledFile;
using ImageFolderListing = LabelledFolder;

// Lists the image files under root. Throws DataError naming root when it is missing or has no images.
ImageFolderListing list_image_folder(const std::string& root);

// Decodes, resizes and centre-crops the split's images: (N, channels, image_size, image_size)
// in data.range, labels (N) int64.
ImageDataset load_image_folder(const DataConfig& config, Split split);

// The image files of one split, in the order load_image_folder() decodes them.
std::vector<ImageFile> image_folder_split(const DataConfig& config, Split split);

}  // namespace gencli
