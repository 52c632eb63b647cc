#include "models/sample_output.h"

#include <stdexcept>
#include <vector>

#include "data/toy2d_scatter.h"
#include "io/atomic_file.h"
#include "io/image_grid.h"
#include "io/npy.h"
#include "io/png.h"
#include "io/wav.h"

namespace gencli {

namespace {

png::TextChunks text_chunks(const Provenance& p) {
  png::TextChunks chunks = {{"Software", std::string("gencli ") + GENCLI_VERSION},
                            {"gencli:model_type", p.model_type},
                            {"gencli:checkpoint_sha256", p.checkpoint_sha256},
                            {"gencli:seed", std::to_string(p.seed)},
                            {"gencli:step", std::to_string(p.step)}};
  if (!p.klass.empty()) chunks.emplace_back("gencli:class", p.klass);
  if (!p.mode.empty()) chunks.emplace_back("gencli:mode", p.mode);
  if (!p.data_fingerprint.empty()) chunks.emplace_back("gencli:data_fingerprint", p.data_fingerprint);
  return chunks;
}

void write_npy(const std::string& path, const torch::Tensor& values) {
  torch::Tensor data = values.contiguous().to(torch::kFloat);
  std::vector<int64_t> shape(data.sizes().begin(), data.sizes().end());
  npy::write_float32(path, shape, data.data_ptr<float>());
}

WrittenSamples write_audio(const torch::Tensor& clips, int64_t rate, const std::string& path) {
  torch::Tensor pcm = (clips.to(torch::kFloat).cpu().flatten(1).clamp(-1, 1) * 32767).round().to(torch::kShort);
  std::vector<int16_t> samples;
  const size_t gap = static_cast<size_t>(rate / 5);
  for (int64_t i = 0; i < pcm.size(0); ++i) {
    if (i > 0) samples.insert(samples.end(), gap, 0);
    const int16_t* data = pcm[i].contiguous().data_ptr<int16_t>();
    samples.insert(samples.end(), data, data + pcm.size(1));
  }
  write_wav(path, static_cast<int>(rate), samples);
  return {pcm.size(0), static_cast<double>(pcm.size(1)) / rate};
}

}  // namespace

WrittenSamples write_samples(const torch::Tensor& samples, Output output, const DataConfig& data, int64_t nrow,
                             int64_t sample_rate, const SampleFiles& files, const Provenance& provenance) {
  switch (output) {
    case Output::audio:
      return write_audio(samples, sample_rate, files.out);
    case Output::points: {
      torch::Tensor points = toy2d_points(samples);
      save_toy2d_scatter(files.out, points, data, text_chunks(provenance));
      if (!files.npy.empty()) write_npy(files.npy, points);
      return {points.size(0)};
    }
    case Output::images: {
      torch::Tensor unit = to_unit_range(samples, data.range).cpu();
      save_grid_png(files.out, unit, nrow, text_chunks(provenance));
      if (!files.npy.empty()) write_npy(files.npy, unit);
      return {unit.size(0)};
    }
    default:
      throw std::logic_error("write_samples: the model generates no samples to write");
  }
}

void write_text_sample(const std::string& path, const std::string& text) { write_file_atomically(path, text); }

}  // namespace gencli
