// The checkpoint module (train/checkpoint.h): a training state saved, restored into a fresh
// run and saved again gives the same archive (the same keys, the same content under each, and
// the same next steps), and the archive holds exactly the keys io/checkpoint.h names. A
// model-only checkpoint loads for inference like any other.
#include <gtest/gtest.h>

#include <filesystem>
#include <algorithm>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "core/errors.h"
#include "data/image_dataset.h"
#include "io/checkpoint.h"
#include "models/config_loading.h"
#include "models/registry.h"
#include "train/checkpoint.h"
#include "train/ema.h"

using namespace gencli;
namespace fs = std::filesystem;
namespace key = checkpoint_key;

namespace {

fs::path temp_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("gencli_test_checkpoint_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

Config toy_gan_config() {
  return config_from_json({{"name", "ckpt"},
                           {"model", {{"type", "gan"}, {"g_hidden", {16}}, {"d_hidden", {16}}, {"latent_dim", 4},
                                      {"image_channels", 2}, {"image_size", 1}}},
                           {"data", {{"type", "toy2d"}, {"toy_points", 256}}},
                           {"train", {{"batch_size", 32}, {"ema_decay", 0.9}}}});
}

// A run's whole state: a GAN with its EMA, two Adams, shuffled batches of toy data.
struct ToyRun {
  explicit ToyRun(const Config& config, bool scale_losses = false)
      : model(models::create_model(config)),
        data(load_image_dataset(config.data, Split::Train, torch::kCPU)),
        batches(data, config.train.batch_size, 7) {
    model->ema = make_ema_copy(*model->ema_target());
    optimizers = std::make_unique<PartOptimizers>(*model, config.optim, scale_losses);
  }
  TrainingState state() {
    TrainingState s;
    s.model = model.get();
    s.optimizers = optimizers.get();
    s.batches = &batches;
    return s;
  }
  std::shared_ptr<Model> model;
  ImageDataset data;
  ShuffledBatches batches;
  std::unique_ptr<PartOptimizers> optimizers;
};

CheckpointHeader header_for(const Config& config, int64_t step) {
  return {kCheckpointFormatVersion, GENCLI_VERSION, config.model_type(), step, config_to_json(config), ""};
}

void expect_same_entries(torch::serialize::InputArchive& x, torch::serialize::InputArchive& y,
                         const std::string& path, const std::string& skip_prefix = "");

// Entry `k` of `x` is in `y` with the same value: tensors equal, nested sections compared entry
// by entry, other values (strings, numbers) equal.
void expect_same_entry(torch::serialize::InputArchive& x, torch::serialize::InputArchive& y, const std::string& k,
                       const std::string& path) {
  SCOPED_TRACE(path + k);
  torch::Tensor tx, ty;
  torch::serialize::InputArchive sx, sy;
  c10::IValue vx, vy;
  if (x.try_read(k, tx)) {
    ASSERT_TRUE(y.try_read(k, ty));
    EXPECT_TRUE(tx.sizes() == ty.sizes() && torch::equal(tx, ty));
  } else if (x.try_read(k, sx)) {
    ASSERT_TRUE(y.try_read(k, sy));
    expect_same_entries(sx, sy, path + k + "/");
  } else {
    ASSERT_TRUE(x.try_read(k, vx));
    ASSERT_TRUE(y.try_read(k, vy));
    EXPECT_EQ(vx, vy);
  }
}

// Every entry of `x` but those named `skip_prefix`... is in `y` with the same value.
void expect_same_entries(torch::serialize::InputArchive& x, torch::serialize::InputArchive& y,
                         const std::string& path, const std::string& skip_prefix) {
  for (const std::string& k : x.keys())
    if (skip_prefix.empty() || k.rfind(skip_prefix, 0) != 0) expect_same_entry(x, y, k, path);
}

std::vector<torch::Tensor> weights_of(Model& model) {
  std::vector<torch::Tensor> all;
  for (auto& p : model.parameters()) all.push_back(p.detach().clone());
  for (auto& p : model.ema->parameters()) all.push_back(p.detach().clone());
  return all;
}

void train_steps(ToyRun& run, int64_t from, int64_t to) {
  StepContext ctx;
  ctx.batches = &run.batches;
  ctx.optimizers = run.optimizers.get();
  for (ctx.step = from; ctx.step < to; ++ctx.step) {
    run.model->train_step(ctx);
    ema_update(*run.model->ema, *run.model->ema_target(), 0.9);
  }
}

}  // namespace

TEST(Checkpoint, SaveRestoreSaveGivesTheSameArchive) {
  const Config config = toy_gan_config();
  torch::manual_seed(3);
  ToyRun first(config);
  train_steps(first, 0, 3);  // optimizer moments, a moved data order, a used RNG
  TrainingState saved = first.state();
  saved.best_val_loss = 0.125;
  saved.energy = {{"wall_s", 1.5}, {"steps", 3}};
  const fs::path a = temp_dir("a") / "ckpt.pt", b = temp_dir("b") / "ckpt.pt";
  save_training_checkpoint(a.string(), header_for(config, 3), saved);
  const torch::Tensor rng_after_save = at::detail::getDefaultCPUGenerator().get_state();

  torch::manual_seed(99);  // as in a fresh process: other weights, another RNG state
  ToyRun second(config);
  TrainingState restored = second.state();
  const CheckpointHeader header = restore_training_checkpoint(a.string(), torch::kCPU, restored);
  EXPECT_EQ(header.step, 3);
  EXPECT_EQ(header.model_type, "gan");
  EXPECT_EQ(restored.best_val_loss, 0.125);
  EXPECT_EQ(restored.energy, saved.energy);
  EXPECT_TRUE(torch::equal(at::detail::getDefaultCPUGenerator().get_state(), rng_after_save));
  save_training_checkpoint(b.string(), header, restored);

  // The same keys, and the same content under each. LibTorch names an optimizer's per-parameter
  // state by the parameter's address in memory, which differs from process to process, so the
  // optim_* sections are compared by what they do below; every other section entry by entry.
  torch::serialize::InputArchive archive_a, archive_b;
  archive_a.load_from(a.string());
  archive_b.load_from(b.string());
  std::vector<std::string> keys_a = archive_a.keys(), keys_b = archive_b.keys();
  std::sort(keys_a.begin(), keys_a.end());
  std::sort(keys_b.begin(), keys_b.end());
  EXPECT_EQ(keys_a, keys_b);
  expect_same_entries(archive_a, archive_b, "", key::kOptimizerPrefix);

  // A run restored from the re-saved archive takes the same next steps as the original run:
  // the same weights, EMA, optimizer moments, batches and noise.
  at::Generator global = at::detail::getDefaultCPUGenerator();  // shares the global generator
  global.set_state(rng_after_save);
  train_steps(first, 3, 5);
  torch::manual_seed(7);
  ToyRun third(config);
  TrainingState again = third.state();
  restore_training_checkpoint(b.string(), torch::kCPU, again);  // the RNG too
  train_steps(third, 3, 5);
  const auto expected = weights_of(*first.model), got = weights_of(*third.model);
  ASSERT_EQ(expected.size(), got.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_TRUE(torch::equal(expected[i], got[i])) << "tensor " << i;
}

TEST(Checkpoint, ArchiveHoldsExactlyTheNamedKeys) {
  const Config config = toy_gan_config();
  ToyRun run(config);
  TrainingState state = run.state();
  state.energy = nlohmann::json::object();
  const fs::path path = temp_dir("keys") / "ckpt.pt";
  CheckpointHeader header = header_for(config, 0);
  header.data_fingerprint = "sha256:test";
  save_training_checkpoint(path.string(), header, state);
  torch::serialize::InputArchive archive;
  archive.load_from(path.string());
  const std::vector<std::string> stored = archive.keys();
  const std::set<std::string> got(stored.begin(), stored.end());
  const std::set<std::string> expected = {key::kFormat, key::kFormatVersion, key::kGencliVersion, key::kModelType,
                                          key::kStep, key::kConfig, key::kModel, key::kEma,
                                          std::string(key::kOptimizerPrefix) + "generator",
                                          std::string(key::kOptimizerPrefix) + "discriminator", key::kRngCpu,
                                          key::kDataOrder, key::kBestValLoss, key::kBestStep, key::kEnergy,
                                          key::kDataFingerprint};
  EXPECT_EQ(got, expected);
}

// fp16 runs keep the loss scaler's state beside the optimizers', so a resumed run scales as an
// uninterrupted one; runs without loss scaling write no such section.
TEST(Checkpoint, LossScalerStateIsRestored) {
  const Config config = toy_gan_config();
  ToyRun first(config, /*scale_losses=*/true);
  LossScaler& scaler = first.optimizers->loss_scaler();
  for (int i = 0; i < 3; ++i) scaler.end_step();  // three good steps
  torch::Tensor p = torch::ones({2}, torch::requires_grad());
  p.mutable_grad() = torch::full({2}, std::numeric_limits<float>::infinity());
  ASSERT_FALSE(scaler.unscale({p}));
  scaler.end_step();  // an overflow: halved, one skipped
  scaler.end_step();  // one good step
  const fs::path path = temp_dir("scaler") / "ckpt.pt";
  save_training_checkpoint(path.string(), header_for(config, 5), first.state());

  ToyRun second(config, /*scale_losses=*/true);
  TrainingState state = second.state();
  restore_training_checkpoint(path.string(), torch::kCPU, state);
  const LossScaler& restored = second.optimizers->loss_scaler();
  EXPECT_EQ(restored.scale(), 32768.0);
  EXPECT_EQ(restored.good_steps(), 1);
  EXPECT_EQ(restored.skipped_steps(), 1);

  ToyRun plain(config);
  const fs::path plain_path = temp_dir("no-scaler") / "ckpt.pt";
  save_training_checkpoint(plain_path.string(), header_for(config, 0), plain.state());
  torch::serialize::InputArchive archive;
  archive.load_from(plain_path.string());
  torch::serialize::InputArchive section;
  EXPECT_FALSE(archive.try_read(key::kLossScaler, section));
}

TEST(Checkpoint, ModelCheckpointLoadsForInference) {
  const Config config = toy_gan_config();
  ToyRun run(config);
  const fs::path path = temp_dir("model") / "model.pt";
  save_model_checkpoint(path.string(), header_for(config, 5), *run.model);
  LoadedModel loaded = load_model(path.string(), torch::kCPU);
  EXPECT_EQ(loaded.header.step, 5);
  EXPECT_TRUE(loaded.energy.is_null());
  ASSERT_TRUE(loaded.model->ema);
  auto original = run.model->named_parameters();
  for (const auto& p : loaded.model->named_parameters()) EXPECT_TRUE(torch::equal(p.value(), original[p.key()]));
  auto original_ema = run.model->ema->named_parameters();
  for (const auto& p : loaded.model->ema->named_parameters())
    EXPECT_TRUE(torch::equal(p.value(), original_ema[p.key()]));
}

namespace {

// Writes `model`'s weights as a sealed checkpoint the way a broken writer would: no finiteness
// check, so the loader's own check is what is tested.
void save_unchecked(const fs::path& path, const Config& config, Model& model) {
  torch::serialize::OutputArchive archive;
  write_checkpoint_header(archive, header_for(config, 3));
  torch::serialize::OutputArchive weights;
  model.save(weights);
  archive.write(key::kModel, weights);
  save_archive_atomically(archive, path.string());
}

}  // namespace

TEST(Checkpoint, NonFiniteWeightsAreNeverWritten) {
  const Config config = toy_gan_config();
  ToyRun run(config);
  {
    torch::NoGradGuard no_grad;
    run.model->ema->parameters()[0].view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
  }
  const fs::path path = temp_dir("nan_save") / "ckpt.pt";
  TrainingState state = run.state();
  try {
    save_training_checkpoint(path.string(), header_for(config, 1), state);
    FAIL() << "a checkpoint with a NaN EMA weight was written";
  } catch (const NonFiniteWeights& e) {
    EXPECT_NE(std::string(e.what()).find("EMA weight"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST(Checkpoint, NonFiniteWeightsAreRefusedAtLoadNamingTheTensor) {
  const Config config = toy_gan_config();
  ToyRun run(config);
  {
    torch::NoGradGuard no_grad;
    run.model->named_parameters().begin()->value().view(-1)[0] = std::numeric_limits<float>::infinity();
  }
  const std::string first = run.model->named_parameters().begin()->key();
  const fs::path path = temp_dir("nan_load") / "ckpt.pt";
  save_unchecked(path, config, *run.model);
  try {
    load_model(path.string(), torch::kCPU);
    FAIL() << "a checkpoint with an infinite weight loaded";
  } catch (const UserError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path.string()), std::string::npos) << what;
    EXPECT_NE(what.find(first), std::string::npos) << what;
  }
}

TEST(Checkpoint, AnyFlippedByteIsFoundBeforeLoading) {
  const Config config = toy_gan_config();
  ToyRun run(config);
  const fs::path path = temp_dir("flip") / "ckpt.pt";
  save_model_checkpoint(path.string(), header_for(config, 2), *run.model);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    bytes = s.str();
  }
  // Bytes spread over the file: local headers, tensor data, the central directory, the seal.
  for (size_t at : {size_t(10), bytes.size() / 3, bytes.size() / 2, bytes.size() - 120, bytes.size() - 30}) {
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 1);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bad;
    EXPECT_THROW(load_model(path.string(), torch::kCPU), UserError) << "flipped byte " << at << " of " << bytes.size();
  }
}

TEST(Checkpoint, ASealedCheckpointIsStillAPlainLibTorchArchive) {
  const Config config = toy_gan_config();
  ToyRun run(config);
  const fs::path path = temp_dir("plain") / "ckpt.pt";
  save_model_checkpoint(path.string(), header_for(config, 2), *run.model);
  torch::serialize::InputArchive archive;
  archive.load_from(path.string());  // LibTorch itself reads it, seal and all
  c10::IValue step;
  ASSERT_TRUE(archive.try_read(key::kStep, step));
  EXPECT_EQ(step.toInt(), 2);
}
