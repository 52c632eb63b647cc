// `gencli eval` for WaveNet: the exact NLL of the held-out clips in bits per audio sample.
#include <cmath>

#include "core/errors.h"
#include "models/wavenet/wavenet_model.h"
#include "models/likelihood_summary.h"

namespace gencli::wavenet {

namespace {

constexpr int64_t kEvalClips = 8;

// 1 up to and including each clip's last nonzero sample, 0 after it: audio_folder pads short
// words with exact zeros, which are trivially predictable and would flatter the score.
torch::Tensor before_padding(const torch::Tensor& waveforms) {
  torch::Tensor nonzero = (waveforms != 0).to(torch::kLong);  // (N, L)
  torch::Tensor positions = torch::arange(1, waveforms.size(1) + 1, nonzero.options());
  torch::Tensor last = (nonzero * positions).amax(1, /*keepdim=*/true);  // 1-based, 0 when all zero
  return (positions.unsqueeze(0) <= last).to(torch::kFloat);
}

}  // namespace

nlohmann::json WaveNetModel::evaluate(EvalContext& ctx) {
  torch::NoGradGuard no_grad;
  const Batch& test = ctx.test_split;
  if (!test.images.defined() || test.images.size(0) == 0) throw UserError("wavenet eval needs the test split (data.root)");
  torch::Tensor codes = encode(test.images);
  torch::Tensor speech = before_padding(test.images.flatten(1));
  const int64_t n = codes.size(0);
  double sum_all = 0, sum_speech = 0;
  for (int64_t start = 0; start < n; start += kEvalClips) {
    const int64_t end = std::min(n, start + kEvalClips);
    torch::Tensor labels = config_.conditional ? test.labels.slice(0, start, end) : torch::Tensor();
    torch::Tensor nats = nll(codes.slice(0, start, end), labels);
    sum_all += nats.sum().item<double>();
    sum_speech += (nats * speech.slice(0, start, end).to(nats.device())).sum().item<double>();
  }
  const double ln2 = std::log(2.0);
  const double scored = speech.sum().item<double>();
  nlohmann::json j;
  j["test_clips"] = n;
  j["sample_rate"] = sample_rate_;
  j["samples_scored"] = static_cast<int64_t>(scored);
  j["bits_per_sample"] = sum_speech / scored / ln2;
  j["bits_per_sample_with_padding"] = sum_all / static_cast<double>(codes.numel()) / ln2;
  add_likelihood_row(j, likelihood_row(config_.conditional ? "autoregressive (x | word)" : "autoregressive", true, sum_speech / scored, "sample", 1,
                                       "256-level mu-law codes up to each clip's last sound"));
  j["receptive_field"] = config_.receptive_field();
  return j;
}

}  // namespace gencli::wavenet
