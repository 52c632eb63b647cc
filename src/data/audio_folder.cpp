#include "data/audio_folder.h"

#include <cmath>
#include <cstring>

#include "core/errors.h"
#include "data/labelled_folder.h"
#include "io/wav.h"

namespace gencli {

namespace {

const FileKind kWavFiles{{".wav"}, "WAV file", "WAV files"};

}  // namespace

int64_t clip_samples(const DataConfig& config) {
  const auto length = std::llround(config.clip_seconds * double(config.sample_rate));
  if (length < 1)
    throw ConfigError("data.clip_seconds: " + std::to_string(config.clip_seconds) + " s is shorter than one sample at " +
                      std::to_string(config.sample_rate) + " Hz");
  return length;
}

std::vector<int16_t> fit_clip(const std::vector<int16_t>& samples, size_t length) {
  if (samples.size() <= length) {
    std::vector<int16_t> clip(samples);
    clip.resize(length, 0);
    return clip;
  }
  // energy[i] = sum of squares of the first i samples; a window's energy is a difference of two.
  std::vector<int64_t> energy(samples.size() + 1, 0);
  for (size_t i = 0; i < samples.size(); ++i) energy[i + 1] = energy[i] + int64_t(samples[i]) * samples[i];
  size_t best_start = 0;
  int64_t best_energy = -1;
  for (size_t start = 0; start + length <= samples.size(); ++start) {
    const int64_t window = energy[start + length] - energy[start];
    if (window > best_energy) best_energy = window, best_start = start;
  }
  return {samples.begin() + std::ptrdiff_t(best_start), samples.begin() + std::ptrdiff_t(best_start + length)};
}

ImageDataset load_audio_folder(const DataConfig& config, Split split) {
  const int64_t length = clip_samples(config);
  const std::vector<LabelledFile> files = list_split(config, kWavFiles, split);

  const auto n = static_cast<int64_t>(files.size());
  torch::Tensor clips = torch::empty({n, length}, torch::kShort);
  torch::Tensor labels = torch::empty({n}, torch::kLong);
  for (int64_t i = 0; i < n; ++i) {
    const WavAudio audio = read_wav(files[i].path);
    if (audio.sample_rate != config.sample_rate)
      throw DataError(files[i].path + ": sample rate " + std::to_string(audio.sample_rate) +
                      " Hz, but data.sample_rate is " + std::to_string(config.sample_rate) +
                      " (resample it, e.g. sox in.wav -r " + std::to_string(config.sample_rate) + " out.wav)");
    const std::vector<int16_t> clip = fit_clip(audio.samples, size_t(length));
    std::memcpy(clips[i].data_ptr<int16_t>(), clip.data(), clip.size() * sizeof(int16_t));
    labels[i] = files[i].label;
  }
  ImageDataset data;
  data.images = clips.to(torch::kFloat).div_(32768.0).view({n, 1, 1, length});  // (N, 1, 1, L)
  data.labels = labels;
  return data;
}

}  // namespace gencli
