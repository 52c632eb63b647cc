#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/libtorch_build.h"

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(GENCLI_SOURCE_DIR) + "/tests/fixtures/show_config/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

// The texts are at::show_config() as each line printed it (written by the LibTorch itself).
TEST(LibTorchBuild, ParsesDebians113) {
  const gencli::LibTorchBuild b = gencli::parse_libtorch_build(fixture("libtorch-1.13-debian.txt"));
  EXPECT_EQ(b.version, "1.13.0");
  EXPECT_EQ(b.blas, "generic");
  EXPECT_EQ(b.cpu_capability, "AVX2");
  EXPECT_FALSE(b.cuda);
  EXPECT_EQ(b.cuda_version, "");
  EXPECT_EQ(b.cudnn_version, "");
  EXPECT_FALSE(b.nccl);
}

TEST(LibTorchBuild, ParsesThePipWheels2x) {
  const gencli::LibTorchBuild b = gencli::parse_libtorch_build(fixture("libtorch-2.14.1-pip.txt"));
  EXPECT_EQ(b.version, "2.14.1");
  EXPECT_EQ(b.blas, "mkl");
  EXPECT_TRUE(b.cuda);
  EXPECT_EQ(b.cuda_version, "13.0");  // CUDA_FLAGS, full of commas, comes before it
  EXPECT_EQ(b.cudnn_version, "9.24.0");
  EXPECT_TRUE(b.nccl);
  EXPECT_TRUE(b.gloo);
}

TEST(LibTorchBuild, TextWithoutBuildSettingsGivesEmptyFields) {
  const gencli::LibTorchBuild b = gencli::parse_libtorch_build("PyTorch built with:\n  - GCC 12.2\n");
  EXPECT_EQ(b.version, "");
  EXPECT_FALSE(b.cuda);
}

TEST(LibTorchBuild, ThisProcessReportsItsOwnVersion) {
  const gencli::LibTorchBuild b = gencli::libtorch_build();
  EXPECT_FALSE(b.version.empty());
  EXPECT_TRUE(gencli::cuda_devices().empty() || b.cuda);
}
