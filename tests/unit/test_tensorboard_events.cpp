// TensorBoard event files at the byte level: CRC-32C matches the published check values, the
// protobuf encoder writes the wire format, TFRecord framing is length + masked CRCs, and an
// event file starts with the file-version event. (tests/e2e/tensorboard.sh reads a run's file
// with TensorBoard itself.)
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "io/atomic_file.h"
#include "io/crc32c.h"
#include "io/protobuf_writer.h"
#include "io/tensorboard_events.h"

using namespace gencli;
namespace fs = std::filesystem;

namespace {

uint64_t le(const std::string& bytes, size_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

}  // namespace

TEST(Crc32c, MatchesTheCheckValues) {
  EXPECT_EQ(crc32c(std::string("123456789")), 0xE3069283u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);    // RFC 3720, B.4
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  // Continuing a checksum over a second part gives the checksum of the whole.
  EXPECT_EQ(crc32c("6789", 4, crc32c("12345", 5)), 0xE3069283u);
}

TEST(ProtoMessage, WritesTheWireFormat) {
  ProtoMessage m;
  m.varint(1, 150).bytes(2, "testing").fixed32(3, 0.5f);
  EXPECT_EQ(m.encoded(), std::string("\x08\x96\x01\x12\x07testing\x1d\x00\x00\x00\x3f", 17));
  ProtoMessage outer;
  outer.message(3, ProtoMessage().varint(1, 150));
  EXPECT_EQ(outer.encoded(), std::string("\x1a\x03\x08\x96\x01", 5));
  ProtoMessage d;
  d.fixed64(1, 1.0);
  EXPECT_EQ(d.encoded(), std::string("\x09\x00\x00\x00\x00\x00\x00\xf0\x3f", 9));
}

TEST(TfRecord, FramesThePayloadWithItsLengthAndMaskedChecksums) {
  const std::string payload = "an event";
  const std::string record = tfrecord(payload);
  ASSERT_EQ(record.size(), 8 + 4 + payload.size() + 4);
  EXPECT_EQ(le(record, 0, 8), payload.size());
  EXPECT_EQ(le(record, 8, 4), masked_crc32c(record.substr(0, 8)));
  EXPECT_EQ(record.substr(12, payload.size()), payload);
  EXPECT_EQ(le(record, 12 + payload.size(), 4), masked_crc32c(payload));
  const uint32_t crc = crc32c(payload);
  EXPECT_EQ(masked_crc32c(payload), ((crc >> 15) | (crc << 17)) + 0xa282ead8u);
}

TEST(EventFileWriter, StartsWithTheFileVersionAndAppendsOneRecordPerEvent) {
  const fs::path dir = fs::temp_directory_path() / ("gencli-tb-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  fs::remove_all(dir);
  std::string path;
  {
    EventFileWriter writer((dir / "tensorboard").string());
    path = writer.path();
    writer.add_scalar("loss", 7, 0.5);
  }
  EXPECT_NE(fs::path(path).filename().string().find("events.out.tfevents."), std::string::npos);
  const std::string bytes = read_file_bytes(path);
  const size_t first = le(bytes, 0, 8);
  EXPECT_NE(bytes.substr(12, first).find("brain.Event:2"), std::string::npos);
  const size_t second_at = 8 + 4 + first + 4;
  const size_t second = le(bytes, second_at, 8);
  ASSERT_EQ(bytes.size(), second_at + 8 + 4 + second + 4);
  // wall_time (9 bytes), step 7, then Summary{value{tag "loss", simple_value 0.5}}.
  const std::string event = bytes.substr(second_at + 12, second);
  EXPECT_EQ(event.substr(9), std::string("\x10\x07\x2a\x0d\x0a\x0b\x0a\x04loss\x15\x00\x00\x00\x3f", 17));
  fs::remove_all(dir);
}
