#include "io/tensorboard_events.h"

#include <chrono>
#include <filesystem>
#include <unistd.h>

#include "core/errors.h"
#include "io/crc32c.h"
#include "io/protobuf_writer.h"

namespace gencli {

namespace {

// Field numbers of tensorflow/core/util/event.proto and tensorflow/core/framework/summary.proto.
namespace event {
constexpr int kWallTime = 1, kStep = 2, kFileVersion = 3, kSummary = 5, kSessionLog = 6;
}
namespace value {
constexpr int kTag = 1, kSimpleValue = 2, kImage = 4, kAudio = 6, kTensor = 8, kMetadata = 9;
}
constexpr int kSummaryValue = 1;     // Summary.value (repeated)
constexpr int kDtString = 7;         // DataType.DT_STRING

double wall_time() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == 0) return "localhost";
  return name;
}

ProtoMessage event_at(int64_t step) {
  ProtoMessage e;
  e.fixed64(event::kWallTime, wall_time()).varint(event::kStep, static_cast<uint64_t>(step));
  return e;
}

std::string summary_event(int64_t step, const ProtoMessage& summary_value) {
  ProtoMessage summary;
  summary.message(kSummaryValue, summary_value);
  return event_at(step).message(event::kSummary, summary).encoded();
}

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

}  // namespace

uint32_t masked_crc32c(const std::string& bytes) {
  const uint32_t crc = crc32c(bytes);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

std::string tfrecord(const std::string& payload) {
  std::string length;
  put_le(length, payload.size(), 8);
  std::string record = length;
  put_le(record, masked_crc32c(length), 4);
  record += payload;
  put_le(record, masked_crc32c(payload), 4);
  return record;
}

EventFileWriter::EventFileWriter(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const auto seconds = static_cast<long long>(wall_time());
  path_ = (std::filesystem::path(dir) / ("events.out.tfevents." + std::to_string(seconds) + "." + host_name() + "." +
                                         std::to_string(getpid())))
              .string();
  out_.open(path_, std::ios::binary | std::ios::app);
  if (!out_) throw UserError(path_ + ": cannot write the TensorBoard event file");
  write_event(event_at(0).bytes(event::kFileVersion, "brain.Event:2").encoded());
}

void EventFileWriter::write_event(const std::string& event) {
  out_ << tfrecord(event);
  out_.flush();  // TensorBoard reads the file while the run goes on
  if (!out_) throw UserError(path_ + ": cannot write the TensorBoard event file");
}

void EventFileWriter::add_session_start(int64_t step) {
  ProtoMessage session;
  session.varint(1, 1);  // SessionLog.status = START
  write_event(event_at(step).message(event::kSessionLog, session).encoded());
}

void EventFileWriter::add_scalar(const std::string& tag, int64_t step, double v) {
  ProtoMessage m;
  m.bytes(value::kTag, tag).fixed32(value::kSimpleValue, static_cast<float>(v));
  write_event(summary_event(step, m));
}

void EventFileWriter::add_image(const std::string& tag, int64_t step, const std::string& png, int width, int height,
                                int channels) {
  ProtoMessage image;  // Summary.Image: height, width, colorspace (= channels), encoded bytes
  image.varint(1, height).varint(2, width).varint(3, channels).bytes(4, png);
  ProtoMessage m;
  m.bytes(value::kTag, tag).message(value::kImage, image);
  write_event(summary_event(step, m));
}

void EventFileWriter::add_audio(const std::string& tag, int64_t step, const std::string& wav, int sample_rate,
                                int64_t frames) {
  ProtoMessage audio;  // Summary.Audio: sample_rate, num_channels, length_frames, encoded bytes, content type
  audio.fixed32(1, static_cast<float>(sample_rate)).varint(2, 1).varint(3, static_cast<uint64_t>(frames));
  audio.bytes(4, wav).bytes(5, "audio/wav");
  ProtoMessage m;
  m.bytes(value::kTag, tag).message(value::kAudio, audio);
  write_event(summary_event(step, m));
}

void EventFileWriter::add_text(const std::string& tag, int64_t step, const std::string& text) {
  // The text plugin reads a string tensor from a value whose metadata names the plugin.
  ProtoMessage plugin;
  plugin.bytes(1, "text");  // PluginData.plugin_name (its content, TextPluginData version 0, is empty)
  ProtoMessage metadata;
  metadata.message(1, plugin);
  ProtoMessage dim, shape, tensor;
  dim.varint(1, 1);           // TensorShapeProto.Dim.size
  shape.message(2, dim);      // TensorShapeProto.dim
  tensor.varint(1, kDtString).message(2, shape).bytes(8, text);  // dtype, tensor_shape, string_val
  ProtoMessage m;
  m.bytes(value::kTag, tag).message(value::kMetadata, metadata).message(value::kTensor, tensor);
  write_event(summary_event(step, m));
}

}  // namespace gencli
