#pragma once
// Which sampling options apply to which families: `gencli sample` and `gencli eval` check the
// options a user set against the model's Capabilities here, in one table each, so an option a
// family does not read is a one-line error naming it instead of being silently ignored.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "models/capabilities.h"

namespace gencli::cli {

// The sampling options of `gencli sample` (eval has a subset), with their defaults.
struct SamplingFlags {
  std::string out;              // the output file
  std::string mode = "prior";
  std::string sampler = "default";
  int64_t steps = 0;
  double eta = 0.0;
  double guidance = -1.0;
  int64_t resample = 1;
  double temperature = 1.0;
  std::string prompt;
  std::string prompts_file;     // text-to-image: one prompt per line, one grid row each
  std::string negative_prompt;  // text-to-image: what guidance steers away from
  int64_t max_new_tokens = 200;
  int64_t top_k = 0;
  double top_p = 1.0;
  double seconds = 1.0;
  bool no_cache = false;
  std::string latents;          // a .npy file of latent vectors to decode
};

// A check for an integer flag: the text must be a whole number in [lo, hi]. CLI11's own
// conversion clamps a number beyond 64 bits (--seed 18446744073709551616 became 2^63 - 1);
// this refuses it as typed.
CLI::Validator integer_in(int64_t lo, int64_t hi = std::numeric_limits<int64_t>::max());

// Throws UserError for the first option in `flags` the family of `model_type` does not read.
void check_sample_options(const SamplingFlags& flags, const Capabilities& caps, const std::string& model_type);
void check_eval_options(const SamplingFlags& flags, const Capabilities& caps, const std::string& model_type);

}  // namespace gencli::cli
