// WAV reader: parse_wav on the bytes; what parses re-encodes and parses to the same audio.
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "io/wav.h"

using namespace gencli;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  WavAudio audio;
  if (!fuzz::accepts("fuzz.wav", [&] { audio = parse_wav(bytes, "fuzz.wav"); })) return 0;
  const WavAudio again = parse_wav(encode_wav(audio.sample_rate, audio.samples), "again.wav");
  if (again.sample_rate != audio.sample_rate || again.samples != audio.samples)
    fuzz::finding("parse_wav(encode_wav(...)) differs from the parsed audio");
  return 0;
}
