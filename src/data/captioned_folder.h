#pragma once
// `data.type: "captioned_folder"`: a folder of PNG/JPEG images each with a caption in a text
// file of the same name ("cat.png" and "cat.txt"), the layout people keep their own captioned
// images in. Images, labels and the split follow image_folder; the caption is the text file's
// content with its lines joined by spaces and the ends trimmed.
#include <string>

#include "data/image_dataset.h"

namespace gencli {

// The caption file of an image: the same path with the extension replaced by ".txt".
std::string caption_path(const std::string& image_path);

// The split's images (as load_image_folder) with their captions. DataError naming the image
// when its caption file is missing, unreadable, empty or not UTF-8.
ImageDataset load_captioned_folder(const DataConfig& config, Split split);

}  // namespace gencli
