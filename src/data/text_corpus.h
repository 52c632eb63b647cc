#pragma once
// `data.type: "text"`: one UTF-8 text file (data.path) as a stream of tokens, its last
// data.test_fraction held out for validation, and training batches of random windows.
#include <string>

#include "core/config.h"
#include "core/torch_api.h"
#include "data/tokenizer.h"
#include "data/batch.h"

namespace gencli {

// The file's bytes; DataError naming the path when it cannot be read or is empty.
std::string read_text_file(const std::string& path);

struct TextSplits {
  torch::Tensor train;  // (N) int64 token ids
  torch::Tensor val;    // (M) int64, the text after the training part
};

// Tokenizes data.path and splits it at round((1 - test_fraction) * tokens). Both parts must
// hold at least `min_tokens` (a window) or a DataError names data.path and data.test_fraction.
TextSplits load_text_splits(const DataConfig& config, const Tokenizer& tokenizer, int64_t min_tokens,
                            const torch::Device& device);

// Training batches: `batch_size` windows of `length` consecutive tokens, each starting at a
// uniformly random offset, as Batch::tokens (batch_size, length). Resumable: the generator's
// state is part of every checkpoint.
class TextWindows : public BatchSource {
 public:
  TextWindows(torch::Tensor tokens, int64_t batch_size, int64_t length, uint64_t seed);
  Batch next() override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

 private:
  torch::Tensor tokens_;
  int64_t batch_size_, length_;
  torch::Generator generator_;
};

}  // namespace gencli
