#include "data/text_corpus.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <spdlog/spdlog.h>

#include "core/errors.h"

namespace gencli {

std::string read_text_file(const std::string& path) {
  // A directory opens as an empty stream and a FIFO would block: say what the path is instead.
  std::error_code ec;
  const auto type = std::filesystem::status(path, ec).type();
  if (type == std::filesystem::file_type::directory) throw DataError(path + ": is a directory, not a text file (data.path)");
  if (!ec && type != std::filesystem::file_type::regular && type != std::filesystem::file_type::not_found)
    throw DataError(path + ": is not a regular file (a FIFO, socket or device), not a text file (data.path)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot read the text file (data.path)");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (bytes.str().empty()) throw DataError(path + ": the text file is empty (data.path)");
  return bytes.str();
}

TextSplits load_text_splits(const DataConfig& config, const Tokenizer& tokenizer, int64_t min_tokens,
                            const torch::Device& device) {
  UnknownCharCount unknown;
  const std::vector<int64_t> ids = tokenizer.encode(read_text_file(config.path), config.path, &unknown);
  if (unknown.total > 0)
    spdlog::warn("{}: {}", config.path,
                 unknown.summary(tokenizer.unknown_policy() == UnknownChars::skip ? "skipped" : "replaced"));
  const auto n = static_cast<int64_t>(ids.size());
  const int64_t cut = std::llround((1.0 - config.test_fraction) * static_cast<double>(n));
  if (cut < min_tokens || n - cut < min_tokens)
    throw DataError(config.path + ": " + std::to_string(n) + " tokens split at data.test_fraction " +
                    std::to_string(config.test_fraction) + " leave " + std::to_string(cut) + " for training and " +
                    std::to_string(n - cut) + " for validation; each needs at least one window of " +
                    std::to_string(min_tokens));
  torch::Tensor all = torch::tensor(ids, torch::kLong);
  return {all.slice(0, 0, cut).clone().to(device), all.slice(0, cut).clone().to(device)};
}

TextWindows::TextWindows(torch::Tensor tokens, int64_t batch_size, int64_t length, uint64_t seed)
    : tokens_(std::move(tokens)),
      batch_size_(batch_size),
      length_(length),
      generator_(at::detail::createCPUGenerator(seed)) {}

Batch TextWindows::next() {
  torch::Tensor starts = torch::randint(tokens_.size(0) - length_ + 1, {batch_size_, 1}, generator_, torch::kLong);
  torch::Tensor index = (starts + torch::arange(length_, torch::kLong).unsqueeze(0)).to(tokens_.device());
  Batch batch;
  batch.tokens = tokens_.index({index});
  return batch;
}

void TextWindows::save(torch::serialize::OutputArchive& archive) const {
  archive.write("generator", generator_.get_state());
}

void TextWindows::load(torch::serialize::InputArchive& archive) {
  torch::Tensor state;
  archive.read("generator", state);
  generator_.set_state(state);
}

}  // namespace gencli
