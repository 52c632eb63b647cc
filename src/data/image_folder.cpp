#include "data/image_folder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "core/errors.h"
#include "data/image_resize.h"
#include "io/png.h"

namespace gencli {

namespace fs = std::filesystem;

namespace {

bool is_image_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

bool is_hidden(const fs::path& p) { return p.filename().string().rfind('.', 0) == 0; }

// Image files under dir at any depth, sorted so every run sees the same order.
std::vector<std::string> images_under(const fs::path& dir) {
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink);
       it != fs::recursive_directory_iterator(); ++it) {
    if (is_hidden(it->path())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && is_image_file(it->path())) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The tensor for one decoded image: (C, H, W) float in [0, 255].
torch::Tensor to_chw(png::Image& img) {
  return torch::from_blob(img.pixels.data(), {img.height, img.width, img.channels}, torch::kUInt8)
      .permute({2, 0, 1})
      .to(torch::kFloat);
}

}  // namespace

ImageFolderListing list_image_folder(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw DataError("data.root " + root + ": not a folder");
  ImageFolderListing listing;
  bool images_at_top = false;
  std::vector<std::string> subfolders;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (is_hidden(entry.path())) continue;
    if (entry.is_directory()) subfolders.push_back(entry.path().filename().string());
    else if (entry.is_regular_file() && is_image_file(entry.path())) images_at_top = true;
  }
  std::sort(subfolders.begin(), subfolders.end());

  if (images_at_top || subfolders.empty()) {
    for (auto& path : images_under(root)) listing.files.push_back({std::move(path), 0});
  } else {
    for (const auto& name : subfolders) {
      std::vector<std::string> paths = images_under(fs::path(root) / name);
      if (paths.empty())
        throw DataError("data.root " + root + ": class folder " + name + " has no PNG or JPEG images");
      const auto label = static_cast<int64_t>(listing.classes.size());
      listing.classes.push_back(name);
      for (auto& path : paths) listing.files.push_back({std::move(path), label});
    }
  }
  if (listing.files.empty()) throw DataError("data.root " + root + ": no PNG or JPEG images found");
  return listing;
}

std::vector<ImageFile> split_files(const std::vector<ImageFile>& files, double test_fraction, Split split) {
  const auto every = std::max<int64_t>(1, std::llround(1.0 / test_fraction));
  std::vector<ImageFile> out;
  for (size_t i = 0; i < files.size(); ++i) {
    const bool test = static_cast<int64_t>(i) % every == 0;
    if (test == (split == Split::Test)) out.push_back(files[i]);
  }
  return out;
}

ImageDataset load_image_folder(const DataConfig& config, Split split) {
  const ImageFolderListing listing = list_image_folder(config.root);
  if (!listing.classes.empty() && static_cast<int64_t>(listing.classes.size()) != config.num_classes)
    throw ConfigError("data.num_classes: " + config.root + " has " + std::to_string(listing.classes.size()) +
                      " class folders, but data.num_classes is " + std::to_string(config.num_classes));
  if (listing.files.size() < 2)
    throw DataError("data.root " + config.root + ": found 1 image; need at least 2 (one is held out for testing)");
  std::vector<ImageFile> files = split_files(listing.files, config.test_fraction, split);
  if (split == Split::Train && config.limit > 0 && static_cast<int64_t>(files.size()) > config.limit)
    files.resize(static_cast<size_t>(config.limit));  // no point decoding what would be cut off

  const int64_t n = static_cast<int64_t>(files.size()), size = config.image_size;
  torch::Tensor images = torch::empty({n, config.channels, size, size}, torch::kFloat);
  torch::Tensor labels = torch::empty({n}, torch::kLong);
  for (int64_t i = 0; i < n; ++i) {
    // stb converts to the requested channel count (RGB -> gray is its luminance weighting).
    png::Image img = png::read_png(files[i].path, static_cast<int>(config.channels));
    if (img.width < 1 || img.height < 1) throw DataError(files[i].path + ": image has no pixels");
    images[i].copy_(resize_and_center_crop(to_chw(img), size));
    labels[i] = files[i].label;
  }
  images.clamp_(0, 255);  // bilinear enlarging stays in range; rounding can graze it
  ImageDataset data;
  data.images = config.range == "tanh" ? images.div_(127.5).sub_(1.0) : images.div_(255.0);
  data.labels = labels;
  return data;
}

}  // namespace gencli
