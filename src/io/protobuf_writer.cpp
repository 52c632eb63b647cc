#include "io/protobuf_writer.h"

#include <cstring>

namespace gencli {

namespace {

// Wire types of the encoding (developers.google.com/protocol-buffers/docs/encoding).
constexpr int kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5;

// A fixed-width field's bytes: the value's bits, little-endian whatever the host.
template <class Bits, class Float>
std::string little_endian_bits(Float value) {
  static_assert(sizeof(Bits) == sizeof(Float));
  Bits bits;
  std::memcpy(&bits, &value, sizeof bits);
  std::string out;
  for (size_t i = 0; i < sizeof(Bits); ++i) out += static_cast<char>((bits >> (8 * i)) & 0xFF);
  return out;
}

}  // namespace

void ProtoMessage::raw_varint(uint64_t value) {
  while (value >= 0x80) {
    out_ += static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  out_ += static_cast<char>(value);
}

void ProtoMessage::tag(int field, int wire_type) { raw_varint((static_cast<uint64_t>(field) << 3) | wire_type); }

ProtoMessage& ProtoMessage::varint(int field, uint64_t value) {
  tag(field, kVarint);
  raw_varint(value);
  return *this;
}

ProtoMessage& ProtoMessage::fixed64(int field, double value) {
  tag(field, kFixed64);
  out_ += little_endian_bits<uint64_t>(value);
  return *this;
}

ProtoMessage& ProtoMessage::fixed32(int field, float value) {
  tag(field, kFixed32);
  out_ += little_endian_bits<uint32_t>(value);
  return *this;
}

ProtoMessage& ProtoMessage::bytes(int field, const std::string& value) {
  tag(field, kLengthDelimited);
  raw_varint(value.size());
  out_ += value;
  return *this;
}

}  // namespace gencli
