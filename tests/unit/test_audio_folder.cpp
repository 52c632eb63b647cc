// data.type "audio_folder": clip length, padding and loudest-window cropping, scaling
// independent of data.range, class sub-folders, the deterministic split and the errors for
// files at the wrong rate or in stereo, on tiny WAVs written to a temp folder.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "core/config.h"
#include "models/config_loading.h"
#include "core/errors.h"
#include "error_message.h"
#include "data/audio_folder.h"
#include "io/atomic_file.h"
#include "io/wav.h"

using namespace gencli;
namespace fs = std::filesystem;

namespace {

class AudioFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/gencli_audio_folder_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::vector<int16_t>& samples, int rate = 8000) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    write_wav(path.string(), rate, samples);
    return path.string();
  }

  // 8 kHz clips of 8 samples (1 ms), so every file below is tiny.
  DataConfig config() const {
    DataConfig c;
    c.type = "audio_folder";
    c.root = dir_.string();
    c.sample_rate = 8000;
    c.clip_seconds = 0.001;
    c.num_classes = 2;
    c.test_fraction = 0.5;
    return c;
  }

  template <class E>
  std::string error_of(const DataConfig& c, Split split = Split::Train) {
    return error_message<E>([&] { load_audio_folder(c, split); });
  }

  fs::path dir_;
};

}  // namespace

TEST(FitClip, ShortIsPaddedAtTheEndAndLongKeepsItsLoudestWindow) {
  EXPECT_EQ(fit_clip({5, -5, 7}, 5), (std::vector<int16_t>{5, -5, 7, 0, 0}));
  EXPECT_EQ(fit_clip({5, -5, 7}, 3), (std::vector<int16_t>{5, -5, 7}));
  // Quiet noise, a loud burst at 6..8, quiet noise: the window of 4 holding the burst wins,
  // the earliest one when two tie (both 5..8 and 6..9 hold it; 9 is as quiet as 5).
  const std::vector<int16_t> word = {1, -1, 1, -1, 1, 1, 900, -800, 700, 1, -1, 1};
  EXPECT_EQ(fit_clip(word, 4), (std::vector<int16_t>{1, 900, -800, 700}));
  EXPECT_EQ(fit_clip(word, 3), (std::vector<int16_t>{900, -800, 700}));
  // All silent: the start.
  EXPECT_EQ(fit_clip(std::vector<int16_t>(10, 0), 4), std::vector<int16_t>(4, 0));
}

TEST_F(AudioFolder, ClassFoldersGiveLabelsAndClipsOfFixedLength) {
  write("one/a.wav", {16384, -16384, -32768});                     // padded to 8
  write("one/b.wav", std::vector<int16_t>(20, 100));               // cropped to 8
  write("two/c.wav", std::vector<int16_t>(8, 32767));
  write("two/d.wav", {-8192});
  std::ofstream(dir_ / "two" / "notes.txt") << "not audio";
  DataConfig c = config();
  const ImageDataset test = load_audio_folder(c, Split::Test);    // files 0 and 2: a, c
  const ImageDataset train = load_audio_folder(c, Split::Train);  // b, d
  ASSERT_EQ(test.images.sizes(), (std::vector<int64_t>{2, 1, 1, 8}));
  ASSERT_EQ(train.images.sizes(), (std::vector<int64_t>{2, 1, 1, 8}));
  EXPECT_EQ(test.images.scalar_type(), torch::kFloat);
  EXPECT_TRUE(test.labels.equal(torch::tensor({0, 1}, torch::kLong)));
  EXPECT_TRUE(train.labels.equal(torch::tensor({0, 1}, torch::kLong)));
  // int16 / 32768, silence after the end of a short file.
  EXPECT_TRUE(test.images[0].flatten().equal(torch::tensor({0.5f, -0.5f, -1.f, 0.f, 0.f, 0.f, 0.f, 0.f})));
  EXPECT_TRUE(test.images[1].flatten().equal(torch::full({8}, 32767.f / 32768.f)));
  EXPECT_TRUE(train.images[0].flatten().equal(torch::full({8}, 100.f / 32768.f)));
  EXPECT_TRUE(train.images[1].flatten().equal(torch::tensor({-0.25f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f})));

  // data.range is for pixels; audio is the same either way.
  c.range = "unit";
  EXPECT_TRUE(load_audio_folder(c, Split::Test).images.equal(test.images));

  c.num_classes = 3;
  const std::string e = error_of<ConfigError>(c);
  EXPECT_NE(e.find("data.num_classes"), std::string::npos) << e;
  EXPECT_NE(e.find("2 class folders"), std::string::npos) << e;
}

TEST_F(AudioFolder, FilesAtTheTopAreUnlabelledAndWorkThroughTheDispatch) {
  for (int i = 0; i < 4; ++i) write("w" + std::to_string(i) + ".WAV", {int16_t(i)});
  write("deeper/w9.wav", {9});
  DataConfig c = config();
  c.num_classes = 1;
  c.clip_seconds = 0.0005;  // 4 samples
  const ImageDataset train = load_image_dataset(c, Split::Train, torch::kCPU);  // w0 w2 (deeper/w9 w1 w3 are test files)
  ASSERT_EQ(train.images.sizes(), (std::vector<int64_t>{2, 1, 1, 4}));
  EXPECT_TRUE(train.labels.equal(torch::zeros({2}, torch::kLong)));
  EXPECT_EQ(load_image_dataset(c, Split::Test, torch::kCPU).size(), 3);
  EXPECT_EQ(describe_data(c), "audio folder " + dir_.string() + " (8000 Hz clips of 4 samples)");
}

TEST_F(AudioFolder, WrongRateAndStereoNameTheFile) {
  write("a.wav", {1, 2});
  const std::string fast = write("b.wav", {1, 2}, 16000);
  std::string e = error_of<DataError>(config());
  EXPECT_NE(e.find(fast + ": sample rate 16000 Hz, but data.sample_rate is 8000"), std::string::npos) << e;

  // A stereo file: a valid mono header with the channel count (byte 22) patched to 2.
  std::string bytes = encode_wav(8000, {1, 2, 3, 4});
  bytes[22] = 2;
  const std::string stereo = (dir_ / "b.wav").string();
  write_file_atomically(stereo, bytes);
  e = error_of<DataError>(config());
  EXPECT_NE(e.find(stereo + ": has 2 channels"), std::string::npos) << e;
}

TEST_F(AudioFolder, EmptyFolderAndTooShortClipsAreErrors) {
  std::ofstream(dir_ / "readme.txt") << "no audio";
  std::string e = error_of<DataError>(config());
  EXPECT_NE(e.find(dir_.string() + ": no WAV files found"), std::string::npos) << e;

  write("a.wav", {1});
  write("b.wav", {1});
  DataConfig c = config();
  c.clip_seconds = 1e-5;  // 0.08 samples
  e = error_of<ConfigError>(c);
  EXPECT_NE(e.find("data.clip_seconds"), std::string::npos) << e;
}

TEST(AudioFolderConfig, NewKeysAreChecked) {
  auto error = [](const nlohmann::json& data) -> std::string {
    try {
      config_from_json({{"model", {{"type", "gan"}}}, {"data", data}});
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_EQ(error({{"type", "audio_folder"}, {"sample_rate", 8000}, {"clip_seconds", 0.5}}), "(no error)");
  EXPECT_NE(error({{"sample_rate", 22050}}).find("data.sample_rate: expected 8000 or 16000"), std::string::npos);
  EXPECT_NE(error({{"clip_seconds", 0}}).find("data.clip_seconds"), std::string::npos);
  const DataConfig defaults;
  EXPECT_EQ(defaults.sample_rate, 16000);
  EXPECT_DOUBLE_EQ(defaults.clip_seconds, 1.0);
}
