#pragma once
// WAV files: RIFF/WAVE, mono, 16-bit PCM only, which is what the audio models read and write.
#include <cstdint>
#include <string>
#include <vector>

namespace gencli {

struct WavAudio {
  int sample_rate = 0;           // samples per second
  std::vector<int16_t> samples;  // mono, in time order
};

// Reads a mono 16-bit PCM WAV file. Chunks other than fmt and data (LIST, fact, ...) are
// skipped; WAVE_FORMAT_EXTENSIBLE is accepted when its subformat is PCM. Throws a one-line
// DataError naming path and the problem (not RIFF/WAVE, truncated, not PCM, not mono, not
// 16-bit).
WavAudio read_wav(const std::string& path);

// Writes samples as a 44-byte-header mono 16-bit PCM WAV file, atomically.
void write_wav(const std::string& path, int sample_rate, const std::vector<int16_t>& samples);

// Byte-level helpers (exposed for tests): the whole file in memory.
WavAudio parse_wav(const std::string& bytes, const std::string& name_for_errors);
std::string encode_wav(int sample_rate, const std::vector<int16_t>& samples);

}  // namespace gencli
