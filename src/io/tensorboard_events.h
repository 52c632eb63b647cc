#pragma once
// TensorBoard event files, written without TensorFlow: TFRecord framing (a length and a
// masked CRC-32C around each record) around protobuf `Event` messages, encoded by hand with
// io/protobuf_writer.h. A handful of messages and one checksum did not justify a protobuf
// code generator in the build; the field numbers are those of TensorFlow's event.proto and
// summary.proto. Scalars, images and audio use the summary fields TensorBoard has always
// read (`simple_value`, `Summary.Image`, `Summary.Audio`); text goes through its text plugin.
#include <cstdint>
#include <fstream>
#include <string>

namespace gencli {

class EventFileWriter {
 public:
  // Creates `dir` and, in it, a new events.out.tfevents.<seconds>.<host>.<pid> file that starts
  // with the file-version event. Throws UserError naming the file when it cannot be written.
  explicit EventFileWriter(const std::string& dir);

  // A session (a run, or its resume) starts at `step`: TensorBoard drops what an earlier session
  // logged from this step on (steps after its last checkpoint, which this session takes again).
  void add_session_start(int64_t step);
  void add_scalar(const std::string& tag, int64_t step, double value);
  // png: an encoded PNG of width x height pixels with `channels` channels (1 gray, 3 RGB).
  void add_image(const std::string& tag, int64_t step, const std::string& png, int width, int height, int channels);
  void add_text(const std::string& tag, int64_t step, const std::string& text);
  // wav: an encoded WAV file of `frames` mono samples at `sample_rate`.
  void add_audio(const std::string& tag, int64_t step, const std::string& wav, int sample_rate, int64_t frames);

  const std::string& path() const { return path_; }

 private:
  void write_event(const std::string& event);
  std::string path_;
  std::ofstream out_;
};

// One TFRecord: the payload's length (8 bytes, little-endian), its masked CRC-32C, the payload,
// and the payload's masked CRC-32C (exposed for tests).
std::string tfrecord(const std::string& payload);
// TFRecord's checksum: CRC-32C rotated right by 15 bits plus 0xa282ead8.
uint32_t masked_crc32c(const std::string& bytes);

}  // namespace gencli
