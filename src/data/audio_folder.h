#pragma once
// `data.type: "audio_folder"`: a folder of mono 16-bit PCM WAV files as a labelled set of
// fixed-length clips, one clip per file. Labels (class sub-folders, e.g. one per spoken word)
// and the split follow data/labelled_folder.h.
//
// Every file must be at data.sample_rate. A clip is L = round(data.clip_seconds *
// data.sample_rate) samples: a longer file keeps the L-sample window with the most energy (its
// loudest stretch, so a word is not cut off by leading noise or silence; the earliest such
// window on ties); a shorter one starts at sample 0 and is padded with silence at the end, so
// every word starts at the clip's start.
//
// Samples are int16 / 32768, in [-1, 1), whatever data.range says: audio models work on the
// waveform itself (WaveNet mu-law-encodes it, see data/mu_law.h).
#include <cstdint>
#include <vector>

#include "data/image_dataset.h"

namespace gencli {

// The clip length in samples for the config (ConfigError naming data.clip_seconds when it is
// shorter than one sample).
int64_t clip_samples(const DataConfig& config);

// Crops samples to their loudest window of `length`, or pads them with zeros at the end.
std::vector<int16_t> fit_clip(const std::vector<int16_t>& samples, size_t length);

// Reads the split's files: images (N, 1, 1, L) float in [-1, 1), labels (N) int64.
ImageDataset load_audio_folder(const DataConfig& config, Split split);

}  // namespace gencli
