// Data-parallel pieces that need no second process: per-example draws sliced from the global
// batch's (models/example_random.h), a process's rows of each global batch (data/batch_slice.h)
// and the launch environment torchrun sets (train/launch_environment.h). The processes
// themselves are tested end to end (tests/e2e/data_parallel.sh).
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/errors.h"
#include "data/batch_slice.h"
#include "error_message.h"
#include "models/example_random.h"
#include "train/launch_environment.h"

using namespace gencli;

namespace {

torch::Generator seeded(uint64_t seed) {
  torch::Generator g = at::detail::createCPUGenerator();
  g.set_current_seed(seed);
  return g;
}

// Counts 0, 1, 2, ... in its rows, a global batch of `rows` at a time.
class CountingBatches : public BatchSource {
 public:
  explicit CountingBatches(int64_t rows) : rows_(rows) {}
  Batch next() override {
    Batch b;
    b.images = torch::arange(next_, next_ + rows_, torch::kFloat).view({rows_, 1, 1, 1});
    b.labels = torch::arange(next_, next_ + rows_, torch::kLong);
    next_ += rows_;
    return b;
  }

 private:
  int64_t rows_, next_ = 0;
};

// Sets the named variables for the scope; every other launch variable is unset.
class LaunchVariables {
 public:
  explicit LaunchVariables(std::vector<std::pair<const char*, const char*>> vars) {
    for (const char* name : kNames) unsetenv(name);
    for (const auto& [name, value] : vars) setenv(name, value, 1);
  }
  ~LaunchVariables() {
    for (const char* name : kNames) unsetenv(name);
  }

 private:
  static constexpr const char* kNames[] = {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR",
                                           "MASTER_PORT", "TORCHELASTIC_USE_AGENT_STORE"};
};

}  // namespace

TEST(ExampleRandom, SlicesOfThreeProcessesMakeTheOneProcessDraw) {
  const ExampleRandom one(seeded(5), 0, 1);
  const torch::Tensor normal = one.normal({6, 4}, torch::kFloat);
  const torch::Tensor uniform = one.uniform({6, 1, 2, 2}, torch::kFloat);
  const torch::Tensor integers = one.integers(1000, {6}, torch::kLong);
  std::vector<torch::Tensor> n, u, i;
  for (int64_t rank = 0; rank < 3; ++rank) {
    const ExampleRandom mine(seeded(5), rank, 3);  // every process's shared stream starts alike
    n.push_back(mine.normal({2, 4}, torch::kFloat));
    u.push_back(mine.uniform({2, 1, 2, 2}, torch::kFloat));
    i.push_back(mine.integers(1000, {2}, torch::kLong));
  }
  EXPECT_TRUE(torch::equal(torch::cat(n), normal));
  EXPECT_TRUE(torch::equal(torch::cat(u), uniform));
  EXPECT_TRUE(torch::equal(torch::cat(i), integers));
}

TEST(ExampleRandom, OneProcessDrawsWhatTheGlobalGeneratorWould) {
  torch::manual_seed(11);
  const torch::Tensor expected = torch::randn({3, 5});
  torch::manual_seed(11);
  EXPECT_TRUE(torch::equal(ExampleRandom().normal({3, 5}, torch::kFloat), expected));
}

TEST(BatchSlice, EachProcessTakesItsRowsOfEveryGlobalBatch) {
  BatchSlice second(std::make_unique<CountingBatches>(6), 1, 3);
  EXPECT_TRUE(torch::equal(second.next().labels, torch::tensor({2, 3}, torch::kLong)));
  const Batch b = second.next();
  EXPECT_TRUE(torch::equal(b.labels, torch::tensor({8, 9}, torch::kLong)));
  EXPECT_EQ(b.images.sizes(), (std::vector<int64_t>{2, 1, 1, 1}));
}

namespace {

// Canvas-like batches: six captioned images with their cells.
class CaptionedBatches : public BatchSource {
 public:
  Batch next() override {
    Batch b{torch::zeros({6, 1, 2, 2}), torch::arange(6, torch::kLong)};
    b.captions = {"c0", "c1", "c2", "c3", "c4", "c5"};
    b.cells = torch::arange(24, torch::kLong).view({6, 4});
    return b;
  }
};

}  // namespace

TEST(BatchSlice, CaptionsAndCellsGoWithTheirImages) {
  BatchSlice third(std::make_unique<CaptionedBatches>(), 2, 3);
  const Batch b = third.next();
  EXPECT_EQ(b.captions, (std::vector<std::string>{"c4", "c5"}));
  EXPECT_TRUE(torch::equal(b.cells, torch::arange(16, 24, torch::kLong).view({2, 4})));
}

TEST(LaunchEnvironment, NothingSetIsOneProcess) {
  LaunchVariables none({});
  const LaunchEnvironment e = read_launch_environment();
  EXPECT_FALSE(e.distributed());
  EXPECT_EQ(e.rank, 0);
}

TEST(LaunchEnvironment, ReadsWhatTorchrunSets) {
  LaunchVariables vars({{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"}, {"LOCAL_WORLD_SIZE", "2"},
                        {"MASTER_ADDR", "10.0.0.1"}, {"MASTER_PORT", "29500"}, {"TORCHELASTIC_USE_AGENT_STORE", "True"}});
  const LaunchEnvironment e = read_launch_environment();
  EXPECT_TRUE(e.distributed());
  EXPECT_EQ(e.rank, 3);
  EXPECT_EQ(e.world_size, 4);
  EXPECT_EQ(e.local_rank, 1);
  EXPECT_EQ(e.local_world_size, 2);
  EXPECT_EQ(e.master_addr, "10.0.0.1");
  EXPECT_EQ(e.master_port, 29500);
  EXPECT_TRUE(e.launcher_hosts_store);
}

TEST(LaunchEnvironment, HalfSetOrBadValuesAreOneLineErrors) {
  {
    LaunchVariables half({{"RANK", "0"}, {"MASTER_PORT", "29500"}});
    EXPECT_EQ(error_message<UserError>([] { read_launch_environment(); }),
              "environment: RANK, MASTER_PORT set but not WORLD_SIZE, MASTER_ADDR (a data-parallel run needs RANK, "
              "WORLD_SIZE, MASTER_ADDR and MASTER_PORT, as torchrun sets them)");
  }
  {
    LaunchVariables bad({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "29500"}});
    EXPECT_EQ(error_message<UserError>([] { read_launch_environment(); }),
              "environment: RANK=2 is not a whole number from 0 to 1");
  }
  {
    LaunchVariables bad({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "http"}});
    EXPECT_EQ(error_message<UserError>([] { read_launch_environment(); }),
              "environment: MASTER_PORT=http is not a whole number from 1 to 65535");
  }
}
