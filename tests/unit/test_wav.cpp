// WAV reading/writing: samples survive a round trip, the header is the canonical 44 bytes,
// unknown chunks (LIST, odd sizes with their pad byte) are skipped, and every kind of file
// gencli cannot read is a one-line DataError naming the file and the problem.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/errors.h"
#include "error_message.h"
#include "io/atomic_file.h"
#include "io/wav.h"

using namespace gencli;
namespace fs = std::filesystem;

namespace {

// Little-endian integers and RIFF chunks, to build headers by hand.
std::string le16(uint16_t v) { return {char(v & 0xff), char(v >> 8)}; }
std::string le32(uint32_t v) { return le16(uint16_t(v & 0xffff)) + le16(uint16_t(v >> 16)); }

std::string chunk(const std::string& id, const std::string& body) {
  return id + le32(uint32_t(body.size())) + body + (body.size() % 2 ? std::string(1, '\0') : "");
}

std::string riff(const std::string& chunks) { return "RIFF" + le32(uint32_t(4 + chunks.size())) + "WAVE" + chunks; }

std::string fmt_body(uint16_t tag, uint16_t channels, uint32_t rate, uint16_t bits) {
  const uint16_t align = uint16_t(channels * bits / 8);
  return le16(tag) + le16(channels) + le32(rate) + le32(rate * align) + le16(align) + le16(bits);
}

std::string samples_body(const std::vector<int16_t>& samples) {
  std::string body;
  for (int16_t s : samples) body += le16(uint16_t(s));
  return body;
}

// WAVE_FORMAT_EXTENSIBLE: the plain 16 bytes with tag 0xFFFE, then cbSize 22, valid bits,
// channel mask and the subformat GUID whose first two bytes are the real format tag.
std::string extensible_body(uint16_t subformat) {
  const std::string guid_tail("\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71", 14);
  return fmt_body(0xFFFE, 1, 16000, 16) + le16(22) + le16(16) + le32(4) + le16(subformat) + guid_tail;
}

std::string error_of(const std::string& bytes) {
  return error_message<DataError>([&] { parse_wav(bytes, "clip.wav"); });
}

const std::vector<int16_t> kSamples = {0, 1, -1, 32767, -32768, 1234, -4321};

}  // namespace

TEST(Wav, HeaderIsTheCanonical44Bytes) {
  const std::string bytes = encode_wav(16000, {1, -2});
  const std::string expected = "RIFF" + le32(40) + "WAVE" + "fmt " + le32(16) + le16(1) + le16(1) + le32(16000) +
                               le32(32000) + le16(2) + le16(16) + "data" + le32(4) + le16(1) + le16(0xfffe);
  EXPECT_EQ(bytes, expected);
}

TEST(Wav, WriteReadRoundTrip) {
  std::string dir = ::testing::TempDir() + "/gencli_wav_XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/clip.wav";
  write_wav(path, 8000, kSamples);
  EXPECT_EQ(fs::file_size(path), 44 + 2 * kSamples.size());
  EXPECT_FALSE(fs::exists(atomic_temp_path(path)));
  const WavAudio audio = read_wav(path);
  EXPECT_EQ(audio.sample_rate, 8000);
  EXPECT_EQ(audio.samples, kSamples);

  write_wav(path, 16000, {});  // an empty file is still a valid WAV
  EXPECT_TRUE(read_wav(path).samples.empty());
  fs::remove_all(dir);
}

TEST(Wav, UnknownChunksAndPadBytesAreSkipped) {
  // A 5-byte LIST chunk (padded to 6) before fmt, an odd-sized one between fmt and data, and a
  // damaged trailing chunk after data, which the reader never needs to look at.
  const std::string bytes = riff(chunk("LIST", "INFOx") + chunk("fmt ", fmt_body(1, 1, 16000, 16)) +
                                 chunk("junk", "abc") + chunk("data", samples_body(kSamples))) +
                            "LIST" + le32(1000);
  const WavAudio audio = parse_wav(bytes, "clip.wav");
  EXPECT_EQ(audio.sample_rate, 16000);
  EXPECT_EQ(audio.samples, kSamples);
}

TEST(Wav, ExtensibleIsAcceptedWhenItsSubformatIsPcm) {
  const WavAudio audio = parse_wav(riff(chunk("fmt ", extensible_body(1)) + chunk("data", samples_body(kSamples))),
                                   "clip.wav");
  EXPECT_EQ(audio.samples, kSamples);
  const std::string e = error_of(riff(chunk("fmt ", extensible_body(3)) + chunk("data", samples_body(kSamples))));
  EXPECT_EQ(e, "data error: clip.wav: not PCM (WAVE_FORMAT_EXTENSIBLE with subformat IEEE float); "
               "gencli reads 16-bit PCM only");
}

TEST(Wav, NotRiffWave) {
  EXPECT_EQ(error_of(""), "data error: clip.wav: not a RIFF/WAVE file");
  EXPECT_EQ(error_of(std::string("RIFF\x04\0\0\0AVI ", 12)), "data error: clip.wav: not a RIFF/WAVE file");
  EXPECT_EQ(error_of("\x89PNG\r\n\x1a\n0000"), "data error: clip.wav: not a RIFF/WAVE file");
}

TEST(Wav, TruncatedFiles) {
  const std::string whole = riff(chunk("fmt ", fmt_body(1, 1, 16000, 16)) + chunk("data", samples_body(kSamples)));
  // Cut inside the samples: the data chunk declares more than there is.
  EXPECT_EQ(error_of(whole.substr(0, whole.size() - 3)),
            "data error: clip.wav: truncated: chunk 'data' at byte 36 declares 14 bytes but only 11 remain");
  // Cut inside the data chunk's header.
  EXPECT_EQ(error_of(whole.substr(0, 40)), "data error: clip.wav: truncated: the chunk header at byte 36 is cut off");
  // Cut right after fmt: no data chunk at all.
  EXPECT_EQ(error_of(whole.substr(0, 36)), "data error: clip.wav: no data chunk (truncated?)");
  EXPECT_EQ(error_of(riff(chunk("data", samples_body(kSamples)))),
            "data error: clip.wav: no fmt chunk (truncated or not a PCM WAV file)");
  EXPECT_EQ(error_of(riff(chunk("fmt ", std::string("\x01\x00\x01\x00", 4)) + chunk("data", ""))),
            "data error: clip.wav: fmt chunk is 4 bytes, expected at least 16");
  EXPECT_EQ(error_of(riff(chunk("fmt ", fmt_body(1, 1, 16000, 16)) + chunk("data", "abc"))),
            "data error: clip.wav: data chunk of 3 bytes is not a whole number of 16-bit samples");
}

TEST(Wav, NotPcmMonoOr16Bit) {
  auto with_fmt = [](const std::string& fmt) { return riff(chunk("fmt ", fmt) + chunk("data", std::string(4, '\0'))); };
  EXPECT_EQ(error_of(with_fmt(fmt_body(3, 1, 16000, 32))),
            "data error: clip.wav: not PCM (IEEE float); gencli reads 16-bit PCM only");
  EXPECT_EQ(error_of(with_fmt(fmt_body(7, 1, 8000, 8))),
            "data error: clip.wav: not PCM (mu-law); gencli reads 16-bit PCM only");
  EXPECT_EQ(error_of(with_fmt(fmt_body(0x1234, 1, 8000, 8))),
            "data error: clip.wav: not PCM (format tag 4660); gencli reads 16-bit PCM only");
  EXPECT_EQ(error_of(with_fmt(fmt_body(1, 2, 16000, 16))),
            "data error: clip.wav: has 2 channels; gencli reads mono only (e.g. sox in.wav -c 1 out.wav)");
  EXPECT_EQ(error_of(with_fmt(fmt_body(1, 1, 16000, 8))),
            "data error: clip.wav: has 8-bit samples; gencli reads 16-bit only (e.g. sox in.wav -b 16 out.wav)");
  EXPECT_EQ(error_of(with_fmt(fmt_body(1, 1, 16000, 24))),
            "data error: clip.wav: has 24-bit samples; gencli reads 16-bit only (e.g. sox in.wav -b 16 out.wav)");
  EXPECT_EQ(error_of(with_fmt(fmt_body(1, 1, 0, 16))), "data error: clip.wav: sample rate 0 is not valid");
}

TEST(Wav, MissingFileNamesThePath) {
  try {
    read_wav("/nonexistent/gencli/clip.wav");
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/gencli/clip.wav"), std::string::npos) << e.what();
  }
}
