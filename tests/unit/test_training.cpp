// The shared training loop, through the library: determinism, exact resume,
// checkpoint contents and the linear-regression walkthrough's numbers.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/errors.h"
#include "data/idx.h"
#include "io/checkpoint.h"
#include "io/wav.h"
#include "models/linreg/linreg_model.h"
#include "train/checkpoint.h"
#include "train/optimizers.h"
#include "train/trainer.h"

using namespace gencli;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / ("gencli_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A small MNIST-format set of random bytes: enough to exercise the loop.
fs::path write_fixture(const fs::path& dir, int64_t n) {
  fs::create_directories(dir);
  std::mt19937 rng(7);
  for (const char* split : {"train", "t10k"}) {
    idx::IdxArray images{{n, 28, 28}, std::vector<uint8_t>(n * 28 * 28)}, labels{{n}, std::vector<uint8_t>(n)};
    for (auto& b : images.data) b = static_cast<uint8_t>(rng() % 256);
    for (int64_t i = 0; i < n; ++i) labels.data[i] = static_cast<uint8_t>(i % 10);
    idx::write_idx((dir / (std::string(split) + "-images-idx3-ubyte")).string(), images);
    idx::write_idx((dir / (std::string(split) + "-labels-idx1-ubyte")).string(), labels);
  }
  return dir;
}

fs::path write_config(const fs::path& dir, const fs::path& data, const std::string& optimizer) {
  nlohmann::json j = {{"name", "tiny"},
                      {"model", {{"type", "gan"}, {"g_hidden", {32}}, {"d_hidden", {32}}, {"latent_dim", 8}}},
                      {"data", {{"root", data.string()}}},
                      {"train", {{"steps", 12}, {"batch_size", 8}, {"log_every", 4}, {"checkpoint_every", 4},
                                 {"sample_every", 0}, {"threads", 1}, {"ema_decay", 0.9}}},
                      {"optim", {{"name", optimizer}, {"schedule", "warmup_cosine"}, {"warmup_steps", 3}, {"decay_steps", 12}}}};
  fs::path path = dir / ("tiny_" + optimizer + ".json");
  std::ofstream(path) << j.dump();
  return path;
}

std::vector<torch::Tensor> weights(const fs::path& run) {
  LoadedModel m = load_model((run / "checkpoints" / "last.pt").string(), torch::kCPU);
  std::vector<torch::Tensor> all;
  for (auto& p : m.model->parameters()) all.push_back(p.detach().clone());
  for (auto& p : m.model->ema->parameters()) all.push_back(p.detach().clone());
  return all;
}

bool same(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return true;
}

void train(const fs::path& config, const fs::path& out, std::vector<std::string> overrides = {}, bool resume = false) {
  TrainOptions o;
  o.config_path = resume ? "" : config.string();
  o.out_dir = out.string();
  o.overrides = std::move(overrides);
  o.resume = resume;
  run_training(o);
}

}  // namespace

TEST(Training, SameSeedSameWeightsAndResumeIsExact) {
  fs::path dir = temp_dir("resume");
  fs::path data = write_fixture(dir / "data", 64);
  for (const char* optimizer : {"adam", "lamb"}) {
    SCOPED_TRACE(optimizer);
    fs::path config = write_config(dir, data, optimizer);
    const std::string tag = optimizer;
    train(config, dir / ("full_" + tag));
    train(config, dir / ("again_" + tag));
    train(config, dir / ("half_" + tag), {"train.steps=6"});
    train(config, dir / ("half_" + tag), {"train.steps=12"}, /*resume=*/true);
    train(config, dir / ("seed_" + tag), {"train.seed=99"});
    auto full = weights(dir / ("full_" + tag));
    EXPECT_TRUE(same(full, weights(dir / ("again_" + tag))));
    EXPECT_TRUE(same(full, weights(dir / ("half_" + tag))));   // 6 steps + resume to 12 == 12 steps
    EXPECT_FALSE(same(full, weights(dir / ("seed_" + tag))));  // the seed matters
  }
}

TEST(Training, CheckpointIsSelfDescribingAndRotated) {
  fs::path dir = temp_dir("ckpt");
  fs::path data = write_fixture(dir / "data", 64);
  train(write_config(dir, data, "adam"), dir / "run", {"train.keep_checkpoints=2"});
  OpenedCheckpoint c = open_checkpoint((dir / "run" / "checkpoints" / "last.pt").string());
  EXPECT_EQ(c.header.step, 12);
  EXPECT_EQ(c.header.model_type, "gan");
  EXPECT_EQ(c.header.format_version, kCheckpointFormatVersion);
  EXPECT_EQ(c.header.config["model"]["latent_dim"], 8);
  int step_files = 0;
  for (auto& e : fs::directory_iterator(dir / "run" / "checkpoints"))
    step_files += e.path().filename().string().rfind("step-", 0) == 0;
  EXPECT_EQ(step_files, 2);
  EXPECT_TRUE(fs::exists(dir / "run" / "config.json"));
  EXPECT_TRUE(fs::exists(dir / "run" / "metrics.jsonl"));
}

TEST(Training, ResumeRefusesAChangedArchitecture) {
  fs::path dir = temp_dir("arch");
  fs::path data = write_fixture(dir / "data", 64);
  fs::path config = write_config(dir, data, "adam");
  train(config, dir / "run", {"train.steps=4"});
  EXPECT_THROW(train(config, dir / "run", {"model.latent_dim=9"}, true), ConfigError);
  EXPECT_THROW(train(config, dir / "run"), UserError);  // an existing run needs --resume
}

TEST(Checkpoint, ForeignFilesAreClearErrors) {
  fs::path dir = temp_dir("foreign");
  std::ofstream(dir / "junk.pt") << "not a checkpoint";
  try {
    open_checkpoint((dir / "junk.pt").string());
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("junk.pt"), std::string::npos);
  }
  EXPECT_THROW(open_checkpoint((dir / "missing.pt").string()), UserError);
}

namespace {
// Plain SGD through the Optimizers interface, as the training loop provides it.
class OneSgd : public Optimizers {
 public:
  explicit OneSgd(std::vector<torch::Tensor> params)
      : sgd_(params, torch::optim::SGDOptions(0.01)) {}
  void zero_grad(const std::string&) override { drop_gradients(sgd_); }
  void update(const std::string&) override { sgd_.step(); }

 private:
  torch::optim::SGD sgd_;
};
}  // namespace

TEST(Linreg, FirstStepMatchesHandComputation) {
  // w = 1.8, b = 0.5 on x = [1, 2, 3], y = [3, 5, 7]:
  // predictions [2.3, 4.1, 5.9], errors [-0.7, -0.9, -1.1], MSE 2.51 / 3,
  // dL/dw = 2/3 * (-0.7 - 1.8 - 3.3) = -3.8667, dL/db = 2/3 * (-2.7) = -1.8,
  // after SGD(0.01): w = 1.838667, b = 0.518.
  linreg::LinregModel model{linreg::LinregConfig{}};
  OneSgd sgd(model.line->parameters());
  StepContext ctx;
  ctx.optimizers = &sgd;
  StepMetrics m = model.train_step(ctx);
  EXPECT_NEAR(m[0].second, 2.51 / 3, 1e-6);
  EXPECT_NEAR(model.line->weight.grad().item<double>(), -3.8666667, 1e-5);
  EXPECT_NEAR(model.line->bias.grad().item<double>(), -1.8, 1e-5);
  EXPECT_NEAR(model.line->weight.item<double>(), 1.8386667, 1e-6);
  EXPECT_NEAR(model.line->bias.item<double>(), 0.518, 1e-6);
  for (int i = 1; i < 1000; ++i) {
    ctx.step = i;
    model.train_step(ctx);
  }
  EvalContext e;
  nlohmann::json fit = model.evaluate(e);
  EXPECT_NEAR(fit["weight"].get<double>(), 2.0, 0.05);
  EXPECT_NEAR(fit["bias"].get<double>(), 1.0, 0.1);
  EXPECT_LT(fit["mse"].get<double>(), 1e-3);
}

// Every config in configs/ builds its model and takes one step through the shared loop
// (on random 28x28 data), so a shipped config cannot rot unnoticed.
// An audio_folder of `classes` sub-folders with two 16 kHz noise clips of `seconds` each.
fs::path write_audio_fixture(const fs::path& dir, int classes, double seconds) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> sample(-3000, 3000);
  for (int c = 0; c < classes; ++c) {
    fs::create_directories(dir / ("class" + std::to_string(c)));
    for (int i = 0; i < 2; ++i) {
      std::vector<int16_t> samples(static_cast<size_t>(seconds * 16000));
      for (auto& s : samples) s = static_cast<int16_t>(sample(rng));
      write_wav((dir / ("class" + std::to_string(c)) / (std::to_string(i) + ".wav")).string(), 16000, samples);
    }
  }
  return dir;
}

TEST(Training, EveryShippedConfigTrainsOneStep) {
  fs::path dir = temp_dir("shipped");
  fs::path images = write_fixture(dir / "data", 64);
  fs::path audio = write_audio_fixture(dir / "audio", 10, 1.0);
  const fs::path text = dir / "text.txt";
  {
    std::ofstream out(text);
    for (int i = 0; i < 200; ++i) out << "A line of text, number " << i << ".\n";
  }
  // Sorted, so gpt_char trains before the configs that build on its checkpoint (init.from), and
  // autoencoder_canvas before latent diffusion on it.
  std::vector<fs::path> configs;
  for (const auto& entry : fs::directory_iterator(fs::path(GENCLI_SOURCE_DIR) / "configs"))
    if (entry.path().extension() == ".json") configs.push_back(entry.path());
  std::sort(configs.begin(), configs.end());
  int count = 0;
  for (const auto& path : configs) {
    SCOPED_TRACE(path.string());
    const fs::path out = dir / path.stem();
    std::ifstream file(path);
    const nlohmann::json json = nlohmann::json::parse(file);
    const std::string data_type = json["data"].value("type", "");
    std::vector<std::string> overrides = {"train.steps=1", "train.batch_size=8", "train.sample_every=0",
                                          "train.threads=1", "train.device=cpu",
                                          "data.root=" + (data_type == "audio_folder" ? audio : images).string(),
                                          "data.path=" + text.string()};
    if (json.contains("init")) overrides.push_back("init.from=" + (dir / "gpt_char" / "checkpoints" / "last.pt").string());
    if (json["model"].contains("latent_autoencoder"))  // latent diffusion: the autoencoder trained just before
      overrides.push_back("model.latent_autoencoder=" +
                          (dir / "autoencoder_canvas" / "checkpoints" / "last.pt").string());
    if (data_type == "canvas") overrides.push_back("data.canvas_count=16");
    EXPECT_NO_THROW(train(path, out, overrides));
    EXPECT_TRUE(fs::exists(out / "checkpoints" / "last.pt"));
    ++count;
  }
  EXPECT_GE(count, 7);
}
