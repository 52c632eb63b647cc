#pragma once
// Protocol Buffers wire format, write side only, for the handful of TensorFlow messages an
// event file holds (io/tensorboard_events.h). Fields are appended in the order called; a
// nested message is encoded first and then added as a length-delimited field.
#include <cstdint>
#include <string>

namespace gencli {

class ProtoMessage {
 public:
  ProtoMessage& varint(int field, uint64_t value);     // int32, int64, enum, bool
  ProtoMessage& fixed64(int field, double value);      // double
  ProtoMessage& fixed32(int field, float value);       // float
  ProtoMessage& bytes(int field, const std::string& value);  // string, bytes
  ProtoMessage& message(int field, const ProtoMessage& value) { return bytes(field, value.encoded()); }

  const std::string& encoded() const { return out_; }

 private:
  void tag(int field, int wire_type);
  void raw_varint(uint64_t value);
  std::string out_;
};

}  // namespace gencli
