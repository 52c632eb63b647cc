#include "train/tensorboard_log.h"

#include <filesystem>

#include "core/errors.h"
#include "io/atomic_file.h"
#include "io/wav.h"

namespace gencli {

namespace {

// Width, height and channels from a PNG's IHDR chunk, which always comes first.
void png_shape(const std::string& png, const std::string& path, int* width, int* height, int* channels) {
  if (png.size() < 33 || png.compare(12, 4, "IHDR") != 0) throw DataError(path + ": not a PNG file");
  auto be32 = [&](size_t at) {
    return static_cast<int>((static_cast<unsigned char>(png[at]) << 24) | (static_cast<unsigned char>(png[at + 1]) << 16) |
                            (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]));
  };
  *width = be32(16);
  *height = be32(20);
  switch (png[25]) {  // colour type
    case 0: *channels = 1; break;
    case 4: *channels = 2; break;
    case 6: *channels = 4; break;
    default: *channels = 3;
  }
}

std::string tag_of(const std::string& metric) {
  if (metric.rfind("val_", 0) == 0) return "val/" + metric.substr(4);
  return "train/" + metric;
}

}  // namespace

TensorboardLog::TensorboardLog(const std::string& run_dir, int64_t batch_size, int64_t first_step)
    : events_((std::filesystem::path(run_dir) / "tensorboard").string()), batch_size_(batch_size) {
  events_.add_session_start(first_step);
}

void TensorboardLog::metrics(int64_t step, double seconds, double lr, const StepMetrics& m,
                             const nlohmann::json& cost) {
  for (const auto& [name, value] : m) events_.add_scalar(tag_of(name), step, value);
  events_.add_scalar("train/lr", step, lr);
  if (previous_step_ >= 0 && seconds > previous_seconds_ && step > previous_step_)
    events_.add_scalar("speed/samples_per_s", step,
                       static_cast<double>((step - previous_step_) * batch_size_) / (seconds - previous_seconds_));
  previous_step_ = step;
  previous_seconds_ = seconds;
  for (const char* key : {"energy_j", "co2e_g", "cpu_s"})
    if (cost.contains(key) && cost[key].is_number()) events_.add_scalar(std::string("cost/") + key, step, cost[key]);
}

void TensorboardLog::image_file(int64_t step, const std::string& png_path) {
  const std::string png = read_file_bytes(png_path);
  int width = 0, height = 0, channels = 0;
  png_shape(png, png_path, &width, &height, &channels);
  events_.add_image("samples", step, png, width, height, channels);
}

void TensorboardLog::audio_file(int64_t step, const std::string& wav_path) {
  const std::string wav = read_file_bytes(wav_path);
  const WavAudio audio = parse_wav(wav, wav_path);
  events_.add_audio("samples", step, wav, audio.sample_rate, static_cast<int64_t>(audio.samples.size()));
}

// TensorBoard renders text as Markdown: a fenced block keeps the sample's line breaks and spaces.
void TensorboardLog::text(int64_t step, const std::string& text) {
  events_.add_text("samples", step, "```\n" + text + "\n```");
}

}  // namespace gencli
