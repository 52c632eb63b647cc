#include "data/image_dataset.h"

#include "core/errors.h"
#include "data/audio_folder.h"
#include "data/canvas.h"
#include "data/captioned_folder.h"
#include "data/idx.h"
#include "data/image_folder.h"
#include "data/toy2d.h"

namespace gencli {

namespace {

ImageDataset load_idx(const DataConfig& config, Split split) {
  const std::string prefix = split == Split::Train ? "train" : "t10k";
  const std::string images_path = idx::find_split_file(config.root, prefix + "-images-idx3-ubyte");
  const std::string labels_path = idx::find_split_file(config.root, prefix + "-labels-idx1-ubyte");
  idx::LabeledImages raw = idx::read_labeled_images(images_path, labels_path, static_cast<int>(config.num_classes));

  int64_t n = raw.images.dims[0];
  const int64_t h = raw.images.dims[1], w = raw.images.dims[2];
  if (split == Split::Train && config.limit > 0) n = std::min(n, config.limit);
  // from_blob does not own the bytes: clone() before `raw` goes away.
  torch::Tensor pixels = torch::from_blob(raw.images.data.data(), {n, 1, h, w}, torch::kUInt8).clone();
  torch::Tensor labels = torch::from_blob(raw.labels.data.data(), {n}, torch::kUInt8).to(torch::kLong);

  ImageDataset data;
  data.images = config.range == "tanh" ? pixels.to(torch::kFloat).div_(127.5).sub_(1.0)
                                       : pixels.to(torch::kFloat).div_(255.0);
  data.labels = labels;
  return data;
}

}  // namespace

ImageDataset load_image_dataset(const DataConfig& config, Split split, const torch::Device& device) {
  ImageDataset data = config.type == "image_folder"       ? load_image_folder(config, split)
                      : config.type == "captioned_folder" ? load_captioned_folder(config, split)
                      : config.type == "audio_folder"     ? load_audio_folder(config, split)
                      : config.type == "toy2d"            ? load_toy2d(config, split)
                      : config.type == "canvas"           ? load_canvas(config, split)
                                                          : load_idx(config, split);
  if (config.placement == "auto" && device.type() != torch::kCPU) {
    data.images = data.images.to(device);
    data.labels = data.labels.to(device);
    if (data.cells.defined()) data.cells = data.cells.to(device);
  }
  return data;
}

std::string describe_data(const DataConfig& config) {
  if (config.type == "toy2d") return "toy2d " + config.toy;
  if (config.type == "image_folder") return "image folder " + config.root;
  if (config.type == "captioned_folder") return "captioned image folder " + config.root;
  if (config.type == "canvas") return "canvases of " + config.root;
  if (config.type == "audio_folder")
    return "audio folder " + config.root + " (" + std::to_string(config.sample_rate) + " Hz clips of " +
           std::to_string(clip_samples(config)) + " samples)";
  return config.root;
}

ShuffledBatches::ShuffledBatches(const ImageDataset& data, int64_t batch_size, uint64_t seed)
    : data_(data), batch_size_(batch_size), generator_(at::detail::createCPUGenerator(seed)) {
  if (data.size() < batch_size)
    throw UserError("train.batch_size: " + std::to_string(batch_size) + " is larger than the training set (" +
                    std::to_string(data.size()) + " images)");
}

void ShuffledBatches::new_epoch() {
  ++epoch_;
  cursor_ = 0;
  order_ = torch::randperm(data_.size(), generator_, torch::TensorOptions().dtype(torch::kLong))
               .to(data_.images.device());
}

Batch ShuffledBatches::next() {
  if (epoch_ < 0 || cursor_ + batch_size_ > data_.size()) new_epoch();
  torch::Tensor index = order_.slice(0, cursor_, cursor_ + batch_size_);
  cursor_ += batch_size_;
  Batch b{data_.images.index_select(0, index), data_.labels.index_select(0, index)};
  if (!data_.captions.empty()) {
    torch::Tensor picked = index.cpu();
    auto at = picked.accessor<int64_t, 1>();
    for (int64_t i = 0; i < picked.size(0); ++i) b.captions.push_back(data_.captions[static_cast<size_t>(at[i])]);
  }
  return b;
}

void ShuffledBatches::save(torch::serialize::OutputArchive& archive) const {
  archive.write("epoch", c10::IValue(epoch_));
  archive.write("cursor", c10::IValue(cursor_));
  archive.write("order", order_.defined() ? order_.cpu() : torch::empty({0}, torch::kLong));
  archive.write("generator", generator_.get_state());
}

void ShuffledBatches::load(torch::serialize::InputArchive& archive) {
  c10::IValue epoch, cursor;
  archive.read("epoch", epoch);
  archive.read("cursor", cursor);
  torch::Tensor order, state;
  archive.read("order", order);
  archive.read("generator", state);
  // An order drawn for another data set would index past this one's end.
  if (epoch.toInt() >= 0 && order.numel() != data_.size())
    throw UserError("the checkpoint's data order covers " + std::to_string(order.numel()) +
                    " examples but the training data now has " + std::to_string(data_.size()) +
                    "; resume with the data the run was trained on");
  epoch_ = epoch.toInt();
  cursor_ = cursor.toInt();
  order_ = epoch_ >= 0 ? order.to(data_.images.device()) : torch::Tensor();
  generator_.set_state(state);
}

Batch SequentialBatches::next() {
  if (cursor_ >= data_.size()) cursor_ = 0;
  const int64_t end = std::min(cursor_ + batch_size_, data_.size());
  Batch b{data_.images.slice(0, cursor_, end), data_.labels.slice(0, cursor_, end)};
  if (!data_.captions.empty()) b.captions.assign(data_.captions.begin() + cursor_, data_.captions.begin() + end);
  if (data_.cells.defined()) b.cells = data_.cells.slice(0, cursor_, end);
  cursor_ = end;
  return b;
}

}  // namespace gencli
