// Mixed precision: the dynamic loss scaler (train/loss_scaler.h) by hand-made gradients, the
// optimizers skipping an overflowed step, autocast's guard (core/precision.h), the FLOP count
// under autocast, and the CPUID answer on native bf16 against what the kernel reports.
#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <sstream>

#include "core/cpu_features.h"
#include "core/errors.h"
#include "core/precision.h"
#include "error_message.h"
#include "train/flop_counter.h"
#include "train/loss_scaler.h"

using namespace gencli;

namespace {

const float kInf = std::numeric_limits<float>::infinity();

torch::Tensor parameter_with_grad(std::vector<float> grad) {
  torch::Tensor p = torch::zeros({static_cast<int64_t>(grad.size())}, torch::requires_grad());
  p.mutable_grad() = torch::tensor(grad);
  return p;
}

}  // namespace

TEST(LossScaler, ScalesTheLossAndUnscalesTheGradients) {
  LossScaler scaler(true, {/*initial_scale=*/1024.0, 2.0, 0.5, 3});
  EXPECT_FLOAT_EQ(scaler.scaled(torch::tensor(0.5f)).item<float>(), 512.0f);
  torch::Tensor p = parameter_with_grad({1024.0f, -2048.0f});
  EXPECT_TRUE(scaler.unscale({p}));
  EXPECT_TRUE(torch::equal(p.grad(), torch::tensor({1.0f, -2.0f})));
}

TEST(LossScaler, AnOverflowHalvesTheScaleAndRestartsTheCount) {
  LossScaler scaler(true, {1024.0, 2.0, 0.5, 3});
  scaler.end_step();
  scaler.end_step();
  EXPECT_EQ(scaler.good_steps(), 2);
  torch::Tensor fine = parameter_with_grad({1.0f}), bad = parameter_with_grad({1.0f, kInf});
  EXPECT_FALSE(scaler.unscale({fine, bad}));
  scaler.end_step();
  EXPECT_EQ(scaler.scale(), 512.0);
  EXPECT_EQ(scaler.good_steps(), 0);
  EXPECT_EQ(scaler.skipped_steps(), 1);
  torch::Tensor nan = parameter_with_grad({std::nanf("")});
  EXPECT_FALSE(scaler.unscale({nan}));
  scaler.end_step();
  EXPECT_EQ(scaler.scale(), 256.0);
  EXPECT_EQ(scaler.skipped_steps(), 2);
}

TEST(LossScaler, GrowsAfterARunOfGoodSteps) {
  LossScaler scaler(true, {1024.0, 2.0, 0.5, 3});
  for (int i = 0; i < 2; ++i) scaler.end_step();
  EXPECT_EQ(scaler.scale(), 1024.0);
  scaler.end_step();
  EXPECT_EQ(scaler.scale(), 2048.0);
  EXPECT_EQ(scaler.good_steps(), 0);
  for (int i = 0; i < 3; ++i) scaler.end_step();
  EXPECT_EQ(scaler.scale(), 4096.0);
}

TEST(LossScaler, DisabledIsTheIdentity) {
  LossScaler scaler(false);
  torch::Tensor loss = torch::tensor(3.0f);
  EXPECT_TRUE(scaler.scaled(loss).is_same(loss));
  torch::Tensor p = parameter_with_grad({kInf});
  EXPECT_TRUE(scaler.unscale({p}));
  scaler.end_step();
  EXPECT_EQ(scaler.scale(), 65536.0);
  EXPECT_EQ(scaler.skipped_steps(), 0);
}

TEST(LossScaler, SaveAndLoadRoundTrip) {
  LossScaler a(true, {1024.0, 2.0, 0.5, 5});
  torch::Tensor bad = parameter_with_grad({kInf});
  a.unscale({bad});
  a.end_step();
  a.end_step();
  torch::serialize::OutputArchive out;
  a.save(out);
  std::ostringstream bytes;
  out.save_to(bytes);
  torch::serialize::InputArchive in;
  std::istringstream read(bytes.str());
  in.load_from(read);
  LossScaler b(true);
  b.load(in);
  EXPECT_EQ(b.scale(), 512.0);
  EXPECT_EQ(b.good_steps(), 1);
  EXPECT_EQ(b.skipped_steps(), 1);
}

TEST(Precision, NamesParseAndUnknownOnesAreRefused) {
  EXPECT_EQ(parse_precision("bf16", "train.precision"), Precision::bf16);
  EXPECT_EQ(precision_name(parse_precision("fp16", "x")), "fp16");
  EXPECT_EQ(error_message<UserError>([] { parse_precision("fp8", "--precision"); }),
            "--precision: expected \"fp32\", \"bf16\" or \"fp16\", got \"fp8\"");
}

TEST(Precision, Fp16OnTheCpuIsRefused) {
  EXPECT_EQ(error_message<UserError>([] { check_precision_for_device(Precision::fp16, torch::kCPU, "train.precision"); }),
            "train.precision: \"fp16\" needs a CUDA GPU; on the CPU use \"bf16\" (or \"fp32\")");
  check_precision_for_device(Precision::bf16, torch::kCPU, "train.precision");  // a warning at most
  check_precision_for_device(Precision::fp32, torch::kCPU, "train.precision");
}

TEST(Precision, AutocastGuardCastsMatrixProductsAndRestores) {
  torch::nn::Linear linear(4, 3);
  torch::Tensor x = torch::randn({2, 4});
  {
    AutocastGuard bf16(Precision::bf16, torch::kCPU);
    EXPECT_EQ(linear(x).scalar_type(), torch::kBFloat16);
    {
      AutocastGuard off(Precision::fp32, torch::kCPU);  // fp32 leaves the outer state alone
      EXPECT_EQ(linear(x).scalar_type(), torch::kBFloat16);
    }
    {
      AutocastSuspended suspended;
      EXPECT_EQ(linear(x).scalar_type(), torch::kFloat);
    }
    EXPECT_EQ(linear(x).scalar_type(), torch::kBFloat16);
    // Losses stay in float32 under autocast.
    EXPECT_EQ(torch::mse_loss(linear(x), torch::zeros({2, 3})).scalar_type(), torch::kFloat);
  }
  EXPECT_EQ(linear(x).scalar_type(), torch::kFloat);
  EXPECT_EQ(linear->weight.scalar_type(), torch::kFloat);  // master weights stay float32
}

// An optimizer step inside the guard changes the weights in place; the forward passes after it
// must see the new weights, as a fresh guard would, not a cached bf16 copy of the old ones.
// (PyTorch caches such casts on both lines; this checks the outcome, whichever path a call takes.)
TEST(Precision, WeightsChangedInsideTheGuardAreCastAgainOnceForgotten) {
  torch::nn::Linear linear(4, 3);
  torch::Tensor x = torch::randn({2, 4});
  torch::Tensor after;
  {
    AutocastGuard bf16(Precision::bf16, torch::kCPU);
    const torch::Tensor before = linear(x);
    {
      torch::NoGradGuard no_grad;
      linear->weight.add_(1.0);
    }
    forget_autocast_weight_casts();
    after = linear(x);
    EXPECT_FALSE(torch::equal(after, before));
  }
  AutocastGuard fresh(Precision::bf16, torch::kCPU);
  EXPECT_TRUE(torch::equal(after, linear(x)));
}

// Autocast's kernel for aten::mm casts and calls aten::mm again; the count must not double.
TEST(Precision, FlopCountIsTheSameUnderAutocast) {
  torch::Tensor a = torch::randn({8, 16}), b = torch::randn({16, 4});
  double plain = 0, cast = 0;
  {
    FlopCounter counter;
    torch::mm(a, b);
    plain = counter.flops();
  }
  {
    AutocastGuard bf16(Precision::bf16, torch::kCPU);
    FlopCounter counter;
    EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kBFloat16);
    cast = counter.flops();
  }
  EXPECT_EQ(plain, 2.0 * 8 * 16 * 4);
  EXPECT_EQ(cast, plain);
}

// CPUID's answer agrees with the flags the Linux kernel reports for the same processor.
TEST(CpuFeatures, NativeBf16MatchesProcCpuinfo) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, flags;
  while (std::getline(cpuinfo, line))
    if (line.rfind("flags", 0) == 0) {
      flags = " " + line.substr(line.find(':') + 1) + " ";
      break;
    }
  if (flags.empty()) GTEST_SKIP() << "no flags line in /proc/cpuinfo (not x86 Linux)";
  const bool listed = flags.find(" avx512_bf16 ") != std::string::npos ||
                      (flags.find(" amx_bf16 ") != std::string::npos && flags.find(" amx_tile ") != std::string::npos);
  EXPECT_EQ(cpu_has_native_bf16(), listed) << "flags:" << flags;
}
