#pragma once
// Writing what a model generates, in one place for `gencli sample` and the training loop's
// grids: a PNG grid of images, a scatter plot of 2-D points, a WAV file of audio clips, or a
// text file; every picture carries the same provenance text chunks.
#include "core/torch_api.h"

#include <string>

#include "core/config.h"
#include "models/capabilities.h"

namespace gencli {

// Where the samples came from, written into every PNG as text chunks (gencli:model_type, ...).
struct Provenance {
  std::string model_type;
  std::string checkpoint_sha256;  // or a note ("none (drawn during training)")
  int64_t seed = 0;
  int64_t step = 0;
  std::string klass;  // the class drawn ("all" for one row per class); empty: not recorded
  std::string mode;   // the sample mode; empty: not recorded
  std::string data_fingerprint;  // of the training data (data/data_fingerprint.h); empty: not recorded
};

struct SampleFiles {
  std::string out;  // the PNG (or, for audio, the WAV file)
  std::string npy;  // also the samples as a NumPy array (images, points); empty: none
};

// What write_samples() wrote, for the log line.
struct WrittenSamples {
  int64_t count = 0;          // images, points or clips
  double clip_seconds = 0;    // audio: the length of each clip
};

// Writes `samples` (as sample() returns them, in the data range) as `output` says:
//  - images: a grid of `nrow` per row in [0, 1]; npy (N, C, H, W) float32 in [0, 1];
//  - points: a scatter plot over the data range; npy (N, 2) float32 in the data range;
//  - audio: one WAV file at `sample_rate`, the clips one after another with 0.2 s of silence
//    between them (npy is not written).
WrittenSamples write_samples(const torch::Tensor& samples, Output output, const DataConfig& data, int64_t nrow,
                             int64_t sample_rate, const SampleFiles& files, const Provenance& provenance);

// A text model's output: the prompt and what followed it, as one UTF-8 file.
void write_text_sample(const std::string& path, const std::string& text);

}  // namespace gencli
