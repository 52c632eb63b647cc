#include <gtest/gtest.h>

#include "cli/option_rules.h"
#include "core/device.h"
#include "core/errors.h"

using namespace gencli;
using namespace gencli::cli;

namespace {

std::string sample_refusal(const SamplingFlags& flags, const Capabilities& caps, const std::string& type) {
  try {
    check_sample_options(flags, caps, type);
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

// Parses `--n VALUE` into an int64 checked by `check`; returns CLI11's message or "(ok)".
std::string parse_integer(const std::string& value, CLI::Validator check, int64_t* out = nullptr) {
  CLI::App app;
  int64_t n = -1;
  app.add_option("--n", n)->check(check);
  std::vector<std::string> args = {value, "--n"};  // CLI11 reads them back to front
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  if (out) *out = n;
  return "(ok)";
}

}  // namespace

TEST(OptionRules, StepsIsRefusedWithoutAnIterativeSampler) {
  SamplingFlags flags;
  flags.out = "s.png";
  flags.steps = 5;
  Capabilities gan;
  EXPECT_EQ(sample_refusal(flags, gan, "gan"),
            "--steps 5: model.type gan has no iterative sampler (--steps sets a diffusion model's denoising steps)");
  Capabilities diffusion;
  diffusion.reads.iterative_sampler = true;
  EXPECT_EQ(sample_refusal(flags, diffusion, "diffusion"), "(no error)");
  // A mode other than prior reads --steps itself (the VAE's interpolate).
  flags.mode = "interpolate";
  EXPECT_EQ(sample_refusal(flags, gan, "vae"), "(no error)");
  flags.mode = "prior";
  flags.steps = 0;
  EXPECT_EQ(sample_refusal(flags, gan, "gan"), "(no error)");
}

TEST(OptionRules, IntegerFlagsAreCheckedAsTyped) {
  int64_t n = 0;
  EXPECT_EQ(parse_integer("42", integer_in(0), &n), "(ok)");
  EXPECT_EQ(n, 42);
  EXPECT_EQ(parse_integer("9223372036854775807", integer_in(0), &n), "(ok)");
  EXPECT_EQ(n, INT64_MAX);
  const std::string huge = parse_integer("18446744073709551616", integer_in(0));
  EXPECT_NE(huge.find("--n"), std::string::npos) << huge;
  EXPECT_NE(huge.find("expected an integer >= 0 (at most 2^63 - 1), got 18446744073709551616"), std::string::npos)
      << huge;
  EXPECT_NE(parse_integer("-1", integer_in(0)).find("got -1"), std::string::npos);
  EXPECT_NE(parse_integer("1e3", integer_in(0)).find("got 1e3"), std::string::npos);
  EXPECT_NE(parse_integer("5000", integer_in(0, 4096)).find("expected an integer in [0, 4096], got 5000"),
            std::string::npos)
      << parse_integer("5000", integer_in(0, 4096));
}

TEST(OptionRules, DeviceErrorsNameWhatGaveTheDevice) {
  auto refusal = [](const std::string& spec, const std::string& what) -> std::string {
    try {
      resolve_device(spec, what);
    } catch (const UserError& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_EQ(refusal("gpu", "--device"), "--device: expected \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", got \"gpu\"");
  EXPECT_EQ(refusal("gpu", "train.device").rfind("train.device: ", 0), 0u);
  if (!torch::cuda::is_available()) {
    EXPECT_EQ(refusal("cuda", "--device"),
              "--device: \"cuda\" asked for, but this LibTorch build sees no CUDA GPU (use \"auto\" or \"cpu\")");
  } else {
    EXPECT_EQ(refusal("cuda:1x", "--device"), "--device: \"cuda:1x\" is not cuda:N with N a number");
  }
}
