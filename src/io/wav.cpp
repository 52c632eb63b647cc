#include "io/wav.h"

#include <climits>
#include <optional>

#include "core/errors.h"
#include "io/atomic_file.h"

namespace gencli {
namespace {

constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatExtensible = 0xFFFE;
constexpr size_t kRiffHeaderBytes = 12;  // "RIFF", size, "WAVE"
constexpr size_t kChunkHeaderBytes = 8;  // id, size
constexpr size_t kPcmFmtBytes = 16;
constexpr size_t kExtensibleFmtBytes = 40;
constexpr size_t kSubformatOffset = 24;  // the GUID inside an extensible fmt chunk
// KSDATAFORMAT_SUBTYPE_PCM (00000001-0000-0010-8000-00AA00389B71) as it lies in the file.
const std::string kPcmSubformat("\x01\x00\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71", 16);

// RIFF stores every integer least significant byte first.
uint16_t u16_at(const std::string& b, size_t at) {
  return uint16_t(uint8_t(b[at]) | uint8_t(b[at + 1]) << 8);
}
uint32_t u32_at(const std::string& b, size_t at) {
  return uint32_t(u16_at(b, at)) | uint32_t(u16_at(b, at + 2)) << 16;
}
void put_u16(std::string& out, uint16_t v) {
  out.push_back(char(v & 0xff));
  out.push_back(char(v >> 8));
}
void put_u32(std::string& out, uint32_t v) {
  put_u16(out, uint16_t(v & 0xffff));
  put_u16(out, uint16_t(v >> 16));
}

// Names for the format tags people meet in practice, so the error says what the file is.
std::string format_name(uint16_t tag) {
  switch (tag) {
    case 2: return "Microsoft ADPCM";
    case 3: return "IEEE float";
    case 6: return "A-law";
    case 7: return "mu-law";
    case 0x11: return "IMA ADPCM";
    case 0x55: return "MP3";
    default: return "format tag " + std::to_string(tag);
  }
}

// A chunk id for an error message; ids of a damaged file may not be printable.
std::string printable_id(const std::string& bytes, size_t at) {
  std::string id = bytes.substr(at, 4);
  for (char& c : id)
    if (c < 0x20 || c > 0x7e) c = '?';
  return "'" + id + "'";
}

struct Chunk {
  size_t body = 0;    // byte offset of the chunk's contents
  uint32_t size = 0;  // bytes of contents, without the pad byte
};

void check_writable(int sample_rate, size_t count, const std::string& name) {
  if (sample_rate <= 0) throw UserError(name + ": cannot write a WAV file at sample rate " + std::to_string(sample_rate));
  // The data size and the RIFF size (data + 36) must both fit in 32 bits.
  if (count > (UINT32_MAX - 36) / 2)
    throw UserError(name + ": " + std::to_string(count) + " samples are too many for one WAV file");
}

std::string encode_checked(int sample_rate, const std::vector<int16_t>& samples) {
  const auto data_bytes = uint32_t(samples.size() * 2);
  std::string out;
  out.reserve(44 + data_bytes);
  out += "RIFF";
  put_u32(out, 36 + data_bytes);
  out += "WAVEfmt ";
  put_u32(out, kPcmFmtBytes);
  put_u16(out, kFormatPcm);
  put_u16(out, 1);                               // channels
  put_u32(out, uint32_t(sample_rate));
  put_u32(out, uint32_t(sample_rate) * 2);       // bytes per second
  put_u16(out, 2);                               // bytes per sample frame
  put_u16(out, 16);                              // bits per sample
  out += "data";
  put_u32(out, data_bytes);
  for (int16_t s : samples) put_u16(out, uint16_t(s));
  return out;
}

}  // namespace

WavAudio parse_wav(const std::string& bytes, const std::string& name_for_errors) {
  auto fail = [&](const std::string& why) { return DataError(name_for_errors + ": " + why); };
  if (bytes.size() < kRiffHeaderBytes || bytes.compare(0, 4, "RIFF") != 0 || bytes.compare(8, 4, "WAVE") != 0)
    throw fail("not a RIFF/WAVE file");

  // Walk the chunks until both fmt and data are found; anything after them is not needed,
  // so a damaged trailing chunk does not matter.
  std::optional<Chunk> fmt, data;
  size_t at = kRiffHeaderBytes;
  while (!(fmt && data) && at < bytes.size()) {
    const size_t left = bytes.size() - at;
    if (left < kChunkHeaderBytes)
      throw fail("truncated: the chunk header at byte " + std::to_string(at) + " is cut off");
    const uint32_t size = u32_at(bytes, at + 4);
    const size_t body = at + kChunkHeaderBytes;
    if (size > bytes.size() - body)
      throw fail("truncated: chunk " + printable_id(bytes, at) + " at byte " + std::to_string(at) + " declares " +
                 std::to_string(size) + " bytes but only " + std::to_string(bytes.size() - body) + " remain");
    if (bytes.compare(at, 4, "fmt ") == 0 && !fmt) fmt = Chunk{body, size};
    else if (bytes.compare(at, 4, "data") == 0 && !data) data = Chunk{body, size};
    at = body + size + (size & 1);  // a chunk of odd size is followed by one pad byte
  }
  if (!fmt) throw fail("no fmt chunk (truncated or not a PCM WAV file)");
  if (!data) throw fail("no data chunk (truncated?)");

  if (fmt->size < kPcmFmtBytes)
    throw fail("fmt chunk is " + std::to_string(fmt->size) + " bytes, expected at least 16");
  const uint16_t tag = u16_at(bytes, fmt->body);
  const uint16_t channels = u16_at(bytes, fmt->body + 2);
  const uint32_t sample_rate = u32_at(bytes, fmt->body + 4);
  const uint16_t bits = u16_at(bytes, fmt->body + 14);
  if (tag == kFormatExtensible) {
    if (fmt->size < kExtensibleFmtBytes)
      throw fail("WAVE_FORMAT_EXTENSIBLE fmt chunk is " + std::to_string(fmt->size) + " bytes, expected 40");
    if (bytes.compare(fmt->body + kSubformatOffset, 16, kPcmSubformat) != 0)
      throw fail("not PCM (WAVE_FORMAT_EXTENSIBLE with subformat " +
                 format_name(u16_at(bytes, fmt->body + kSubformatOffset)) + "); gencli reads 16-bit PCM only");
  } else if (tag != kFormatPcm) {
    throw fail("not PCM (" + format_name(tag) + "); gencli reads 16-bit PCM only");
  }
  if (channels != 1)
    throw fail("has " + std::to_string(channels) + " channels; gencli reads mono only (e.g. sox in.wav -c 1 out.wav)");
  if (bits != 16)
    throw fail("has " + std::to_string(bits) + "-bit samples; gencli reads 16-bit only (e.g. sox in.wav -b 16 out.wav)");
  if (sample_rate == 0 || sample_rate > uint32_t(INT_MAX))
    throw fail("sample rate " + std::to_string(sample_rate) + " is not valid");
  if (data->size % 2 != 0)
    throw fail("data chunk of " + std::to_string(data->size) + " bytes is not a whole number of 16-bit samples");

  WavAudio audio;
  audio.sample_rate = int(sample_rate);
  audio.samples.resize(data->size / 2);
  for (size_t i = 0; i < audio.samples.size(); ++i) audio.samples[i] = int16_t(u16_at(bytes, data->body + 2 * i));
  return audio;
}

std::string encode_wav(int sample_rate, const std::vector<int16_t>& samples) {
  check_writable(sample_rate, samples.size(), "wav");
  return encode_checked(sample_rate, samples);
}

WavAudio read_wav(const std::string& path) { return parse_wav(read_file_bytes(path), path); }

void write_wav(const std::string& path, int sample_rate, const std::vector<int16_t>& samples) {
  check_writable(sample_rate, samples.size(), path);
  write_file_atomically(path, encode_checked(sample_rate, samples));
}

}  // namespace gencli
