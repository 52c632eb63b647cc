#pragma once
// The WaveNet family: p(x) = prod_t p(x_t | x_<t) over mu-law codes of a waveform, trained on
// random windows cut from the clips of an audio_folder, generated one sample at a time (with
// or without the per-layer cache) and scored by its exact NLL in bits per audio sample.
#include "models/model.h"
#include "models/wavenet/wavenet_config.h"
#include "models/wavenet/wavenet_network.h"

namespace gencli::wavenet {

class WaveNetModel : public Model {
 public:
  WaveNetModel(WaveNetConfig config, int64_t num_classes, int64_t sample_rate);

  std::vector<OptimizedPart> optimized_parts() override;
  StepMetrics train_step(StepContext& ctx) override;
  // Waveforms (num, 1, 1, length) in [-1, 1]; request.length samples (default one second).
  torch::Tensor sample(const SampleRequest& request) override;
  nlohmann::json evaluate(EvalContext& ctx) override;

  // Clips (B, 1, 1, L) in [-1, 1] as mu-law codes (B, L).
  torch::Tensor encode(const torch::Tensor& clips) const;
  // Per-position NLL in nats (B, T) of codes (B, T).
  torch::Tensor nll(const torch::Tensor& codes, const torch::Tensor& labels);
  // Codes (B, length) drawn one sample at a time. With use_cache each step runs the layers once
  // on the newest sample; without, it reruns the network over the receptive field, which gives
  // the same logits and so, from the same generator, the same codes.
  torch::Tensor generate(int64_t batch, int64_t length, const torch::Tensor& labels, const SampleRequest& request);

  const WaveNetConfig& config() const { return config_; }

  // Whether cached generation may take PackedWaveNet where it applies (CPU, float32, no
  // autocast); off, it runs IncrementalWaveNet, the reference the tests compare it with.
  bool use_packed_step = true;

  WaveNet network{nullptr};

 private:
  torch::Tensor one_hot(const torch::Tensor& labels) const;

  WaveNetConfig config_;
  int64_t num_classes_, sample_rate_;
};

}  // namespace gencli::wavenet
