#pragma once
// A data set split (MNIST-format files, an image folder, an audio folder or 2-D toy points)
// held whole in one tensor, and shuffled batches drawn from it by index (no per-sample
// copies). The batch order is part of every checkpoint.
#include "core/torch_api.h"

#include "core/config.h"
#include "data/batch.h"

namespace gencli {

struct ImageDataset {
  torch::Tensor images;  // (N, C, H, W) float in the configured range
  torch::Tensor labels;  // (N) int64
  std::vector<std::string> captions;  // canvas: one caption per image, else empty
  torch::Tensor cells;                // canvas: (N, 4) class per cell (-1: empty), else undefined
  int64_t size() const { return images.size(0); }
};

enum class Split { Train, Test };

// Loads the split data.type names: "idx" reads <root>/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz],
// "image_folder" see data/image_folder.h, "audio_folder" see data/audio_folder.h, "toy2d" see
// data/toy2d.h. Values are in data.range (audio: always [-1, 1), clips stored as (N, 1, 1, L)).
ImageDataset load_image_dataset(const DataConfig& config, Split split, const torch::Device& device);

// Where the data comes from, for log lines: the folder, or e.g. "toy2d ring8".
std::string describe_data(const DataConfig& config);

// Draws batches from a random permutation per epoch; an incomplete last batch is dropped.
class ShuffledBatches : public BatchSource {
 public:
  ShuffledBatches(const ImageDataset& data, int64_t batch_size, uint64_t seed);
  Batch next() override;

  // Order state for checkpoints: (epoch, cursor) and the current permutation.
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

 private:
  void new_epoch();

  const ImageDataset& data_;
  int64_t batch_size_;
  torch::Generator generator_;  // CPU, separate from the noise RNG so data order is reproducible alone
  torch::Tensor order_;         // (N) int64 on the data's device
  int64_t cursor_ = 0;
  int64_t epoch_ = -1;
};

// Reads the split in order, in batches (for evaluation). Wraps around at the end.
class SequentialBatches : public BatchSource {
 public:
  SequentialBatches(const ImageDataset& data, int64_t batch_size) : data_(data), batch_size_(batch_size) {}
  Batch next() override;

 private:
  const ImageDataset& data_;
  int64_t batch_size_;
  int64_t cursor_ = 0;
};

}  // namespace gencli
