#include "data/image_folder.h"

#include "core/errors.h"
#include "data/image_resize.h"
#include "io/png.h"

namespace gencli {

namespace {

const FileKind kImages{{".png", ".jpg", ".jpeg"}, "image", "PNG or JPEG images"};

// The tensor for one decoded image: (C, H, W) float in [0, 255].
torch::Tensor to_chw(png::Image& img) {
  return torch::from_blob(img.pixels.data(), {img.height, img.width, img.channels}, torch::kUInt8)
      .permute({2, 0, 1})
      .to(torch::kFloat);
}

}  // namespace

ImageFolderListing list_image_folder(const std::string& root) { return list_labelled_folder(root, kImages); }

std::vector<ImageFile> image_folder_split(const DataConfig& config, Split split) {
  return list_split(config, kImages, split);
}

ImageDataset load_image_folder(const DataConfig& config, Split split) {
  const std::vector<ImageFile> files = image_folder_split(config, split);

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
