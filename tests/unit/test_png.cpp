// PNG writing/reading: pixels survive a round trip, tEXt chunks land after IHDR and read
// back in order, broken files are reported with their path.
#include <gtest/gtest.h>
#include <stb_image_write.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/errors.h"
#include "io/image_decode.h"
#include "io/png.h"

namespace gencli::png {
namespace {

namespace fs = std::filesystem;

class Png : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/gencli_png_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static void put(const std::string& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
  }

  std::string dir_;
};

template <class F>
std::string error_message_of(F&& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  }
  return "(no error)";
}

std::vector<uint8_t> gradient(int w, int h, int c) {
  std::vector<uint8_t> px(size_t(w) * h * c);
  for (size_t i = 0; i < px.size(); ++i) px[i] = uint8_t((i * 7 + i / 13) % 256);
  return px;
}

// Chunk types in file order.
std::vector<std::string> chunk_types(const std::string& bytes) {
  std::vector<std::string> types;
  size_t at = 8;
  while (at + 8 <= bytes.size()) {
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data()) + at;
    const size_t len = (size_t(p[0]) << 24) | (size_t(p[1]) << 16) | (size_t(p[2]) << 8) | p[3];
    types.push_back(bytes.substr(at + 4, 4));
    at += 12 + len;
  }
  return types;
}

TEST_F(Png, GrayRoundTrip) {
  const auto px = gradient(37, 19, 1);
  write_png(path("g.png"), 37, 19, 1, px.data());
  const Image img = read_png(path("g.png"));
  EXPECT_EQ(img.width, 37);
  EXPECT_EQ(img.height, 19);
  EXPECT_EQ(img.channels, 1);
  EXPECT_EQ(img.pixels, px);
}

TEST_F(Png, RgbRoundTrip) {
  const auto px = gradient(16, 9, 3);
  write_png(path("c.png"), 16, 9, 3, px.data());
  const Image img = read_png(path("c.png"));
  EXPECT_EQ(img.channels, 3);
  EXPECT_EQ(img.pixels, px);
}

TEST_F(Png, ForceChannelsExpandsGray) {
  const auto px = gradient(4, 4, 1);
  write_png(path("g.png"), 4, 4, 1, px.data());
  const Image img = read_png(path("g.png"), 3);
  ASSERT_EQ(img.channels, 3);
  ASSERT_EQ(img.pixels.size(), 48u);
  for (size_t i = 0; i < px.size(); ++i) {
    EXPECT_EQ(img.pixels[3 * i], px[i]);
    EXPECT_EQ(img.pixels[3 * i + 1], px[i]);
    EXPECT_EQ(img.pixels[3 * i + 2], px[i]);
  }
}

TEST_F(Png, TextChunksRoundTripInOrderRightAfterIhdr) {
  const TextChunks text = {{"gencli:config_sha256", "ba7816bf"},
                           {"Software", "gencli 0.1.0"},
                           {"empty", ""},
                           {"multi", "line one\nline two, caf\xc3\xa9"}};
  const auto px = gradient(8, 8, 3);
  write_png(path("t.png"), 8, 8, 3, px.data(), text);
  EXPECT_EQ(read_text_chunks(path("t.png")), text);
  const auto types = chunk_types(slurp(path("t.png")));
  ASSERT_GE(types.size(), 6u);
  EXPECT_EQ(types[0], "IHDR");
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(types[size_t(i)], "tEXt");
  EXPECT_EQ(types.back(), "IEND");
  EXPECT_EQ(read_png(path("t.png")).pixels, px) << "stb must still decode the file";
}

TEST_F(Png, NoTextChunksGivesEmptyList) {
  const auto px = gradient(3, 3, 1);
  write_png(path("plain.png"), 3, 3, 1, px.data());
  EXPECT_TRUE(read_text_chunks(path("plain.png")).empty());
}

TEST_F(Png, BadKeywordIsRejectedAndNothingIsWritten) {
  const auto px = gradient(3, 3, 1);
  EXPECT_THROW(write_png(path("k.png"), 3, 3, 1, px.data(), {{"", "x"}}), UserError);
  EXPECT_THROW(write_png(path("k.png"), 3, 3, 1, px.data(), {{std::string(80, 'k'), "x"}}),
               UserError);
  EXPECT_THROW(write_png(path("k.png"), 3, 3, 1, px.data(), {{"k", std::string("a\0b", 3)}}),
               UserError);
  EXPECT_FALSE(fs::exists(path("k.png")));
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(Png, CorruptTextCrcIsReported) {
  const auto px = gradient(3, 3, 1);
  write_png(path("crc.png"), 3, 3, 1, px.data(), {{"key", "value"}});
  std::string bytes = slurp(path("crc.png"));
  const size_t at = bytes.find("value");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 'V';
  put(path("crc.png"), bytes);
  try {
    read_text_chunks(path("crc.png"));
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(path("crc.png") + ": tEXt chunk"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("bad CRC"), std::string::npos) << e.what();
  }
}

TEST_F(Png, NotAPngNamesThePath) {
  put(path("fake.png"), "this is not an image");
  try {
    read_png(path("fake.png"));
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(path("fake.png") + ": cannot decode image"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(read_text_chunks(path("fake.png")), DataError);
  try {
    read_png(path("missing.png"));
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(path("missing.png")), std::string::npos) << e.what();
  }
}

void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
}

std::string jpeg_bytes(int w, int h) {
  const auto px = gradient(w, h, 3);
  std::string out;
  stbi_write_jpg_to_func(append_bytes, &out, w, h, 3, px.data(), 90);
  return out;
}

// The message of the DataError read_png throws for p ("(no error)" if none).
std::string decode_error(const std::string& p) {
  try {
    read_png(p);
  } catch (const DataError& e) {
    return e.what();
  }
  return "(no error)";
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "message: " << (haystack)

TEST_F(Png, JpegDecodesAndATruncatedOneSaysSo) {
  const std::string jpeg = jpeg_bytes(16, 16);
  put(path("ok.jpg"), jpeg);
  const Image img = read_png(path("ok.jpg"));
  EXPECT_EQ(img.width, 16);
  EXPECT_EQ(img.channels, 3);
  // Cut in its middle, stb's reason was the stale "bad png sig" of its PNG probe.
  put(path("cut.jpg"), jpeg.substr(0, jpeg.size() / 2));
  const std::string msg = decode_error(path("cut.jpg"));
  EXPECT_CONTAINS(msg, path("cut.jpg") + ": cannot decode image: truncated JPEG");
  EXPECT_EQ(msg.find("png sig"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

TEST_F(Png, OnlyPngAndJpegAreDecoded) {
  put(path("fake.png"), "this is not an image");
  EXPECT_EQ(decode_error(path("fake.png")),
            "data error: " + path("fake.png") + ": cannot decode image: not a PNG or JPEG file");
  put(path("empty.png"), "");
  EXPECT_CONTAINS(decode_error(path("empty.png")), "the file is empty");
  // A BMP stb could read is refused too: image folders hold PNG and JPEG files only.
  put(path("x.bmp"), std::string("BM") + std::string(60, '\0'));
  EXPECT_CONTAINS(decode_error(path("x.bmp")), "not a PNG or JPEG file");
  const auto px = gradient(30, 30, 3);
  write_png(path("cut.png"), 30, 30, 3, px.data());
  const std::string bytes = slurp(path("cut.png"));
  put(path("cut.png"), bytes.substr(0, bytes.size() / 2));
  EXPECT_CONTAINS(decode_error(path("cut.png")),
                  path("cut.png") + ": cannot decode image: not a decodable PNG (truncated");
}

// Found by tests/fuzz/fuzz_image: a few hundred bytes of JPEG claiming 17928 x 38664 pixels
// kept stb allocating and decoding for minutes.
TEST_F(Png, AnImageClaimingTooManyPixelsIsRefusedUndecoded) {
  std::string jpeg = jpeg_bytes(8, 8);
  const size_t sof = jpeg.find("\xff\xc0");
  ASSERT_NE(sof, std::string::npos);
  jpeg[sof + 5] = char(0x97);  // height 38664
  jpeg[sof + 6] = char(0x08);
  jpeg[sof + 7] = char(0x46);  // width 17928
  jpeg[sof + 8] = char(0x08);
  put(path("huge.jpg"), jpeg);
  EXPECT_CONTAINS(decode_error(path("huge.jpg")),
                  path("huge.jpg") + ": cannot decode image: it is 17928x38664, more than 67108864 pixels");
  const ImageSize size = probe_image(jpeg, "huge.jpg");
  EXPECT_EQ(size.width, 17928);
  EXPECT_EQ(size.height, 38664);
}

// Found by tests/fuzz/fuzz_image: Debian's stb 2.27 writes past its Huffman table when a
// DHT segment declares more than 256 codes.
TEST_F(Png, AJpegHuffmanTableOfMoreThan256CodesIsRefused) {
  std::string jpeg = jpeg_bytes(8, 8);
  const size_t dht = jpeg.find("\xff\xc4");
  ASSERT_NE(dht, std::string::npos);
  jpeg[dht + 5 + 14] = char(200);  // the counts of 15- and 16-bit codes
  jpeg[dht + 5 + 15] = char(200);
  const std::string msg = error_message_of([&] { decode_image(jpeg, "bad.jpg"); });
  EXPECT_CONTAINS(msg, "bad.jpg: cannot decode image: not a decodable JPEG (the Huffman table at byte " +
                           std::to_string(dht));
}

// Found by tests/fuzz/fuzz_image: Debian's stb 2.27 decodes a scan with Huffman tables no DHT
// segment defined, reading uninitialised memory out of bounds.
TEST_F(Png, AJpegScanNamingAnUndefinedHuffmanTableIsRefused) {
  std::string jpeg = jpeg_bytes(8, 8);
  ASSERT_NO_THROW(decode_image(jpeg, "good.jpg"));
  const size_t sos = jpeg.find("\xff\xda");
  ASSERT_NE(sos, std::string::npos);
  jpeg[sos + 6] = char(0x33);  // the first component's DC and AC tables: 3, never defined
  const std::string msg = error_message_of([&] { decode_image(jpeg, "bad.jpg"); });
  EXPECT_CONTAINS(msg, "bad.jpg: cannot decode image: not a decodable JPEG (the scan at byte " + std::to_string(sos) +
                           " uses a Huffman table no DHT segment defines)");
}

// Found by tests/fuzz/fuzz_image: Debian's stb 2.27 grows its IDAT buffer to the length a
// chunk declares before reading it, so 90 bytes claiming a 1.3 GB chunk allocated 1.3 GB.
TEST_F(Png, AChunkLongerThanTheFileIsRefusedBeforeStbAllocatesIt) {
  const auto px = gradient(3, 3, 1);
  write_png(path("ok.png"), 3, 3, 1, px.data());
  std::string bytes = slurp(path("ok.png"));
  const size_t idat = bytes.find("IDAT") - 4;
  bytes[idat] = char(0x50);  // the IDAT length's top byte: 0x50000000 more bytes
  put(path("long.png"), bytes);
  EXPECT_CONTAINS(decode_error(path("long.png")),
                  path("long.png") + ": cannot decode image: not a decodable PNG (truncated: the chunk at byte " +
                      std::to_string(idat) + " declares 13421");
  EXPECT_THROW(probe_image(bytes, "long.png"), DataError);
}

// Found by tests/fuzz/fuzz_image: text chunks go in right after IHDR, at the offset its
// standard 13 bytes give; an IHDR declaring more swallowed them.
TEST_F(Png, TextIsNotInsertedIntoAnIhdrOfTheWrongLength) {
  const auto px = gradient(3, 3, 1);
  write_png(path("ok.png"), 3, 3, 1, px.data());
  std::string bytes = slurp(path("ok.png"));
  bytes[11] = char(41);  // IHDR's length
  const std::string msg = error_message_of([&] { insert_text_chunks(bytes, {{"k", "v"}}, "odd.png"); });
  EXPECT_CONTAINS(msg, "odd.png: not a PNG starting with a 13-byte IHDR chunk");
}

TEST_F(Png, TruncatedFileHasNoIend) {
  const auto px = gradient(30, 30, 3);
  write_png(path("cut.png"), 30, 30, 3, px.data(), {{"a", "b"}});
  const std::string bytes = slurp(path("cut.png"));
  put(path("cut.png"), bytes.substr(0, bytes.size() - 12));  // drop IEND
  EXPECT_THROW(read_text_chunks(path("cut.png")), DataError);
}

TEST_F(Png, InvalidShapeIsRejected) {
  const auto px = gradient(3, 3, 1);
  EXPECT_THROW(write_png(path("z.png"), 0, 3, 1, px.data()), UserError);
  EXPECT_THROW(write_png(path("z.png"), 3, 3, 5, px.data()), UserError);
}

}  // namespace
}  // namespace gencli::png
