#include "models/wavenet/wavenet_model.h"

#include <cmath>

#include "core/errors.h"
#include "data/mu_law.h"
#include "models/categorical_draw.h"
#include "models/channel_cross_entropy.h"
#include "models/wavenet/packed_wavenet.h"

namespace gencli::wavenet {

namespace {

Capabilities wavenet_capabilities(const WaveNetConfig& config, int64_t num_classes, int64_t sample_rate) {
  Capabilities c;
  c.output = Output::audio;
  c.audio_sample_rate = sample_rate;
  c.classes = config.conditional ? num_classes : 0;
  c.reads.temperature = true;
  c.reads.cache = true;
  c.sampling_step = "audio sample";
  // Its dilated convolutions run in LibTorch's pool: training on 2 cores (AMD EPYC, AVX-512)
  // 1.42 steps/s with that pool at 1 thread, 1.95 at 2 (gencli bench train).
  c.parallel_ops = true;
  return c;
}

}  // namespace

WaveNetModel::WaveNetModel(WaveNetConfig config, int64_t num_classes, int64_t sample_rate)
    : Model(wavenet_capabilities(config, num_classes, sample_rate)),
      config_(std::move(config)), num_classes_(num_classes), sample_rate_(sample_rate) {
  network = register_module("network", WaveNet(config_, num_classes_));
}

std::vector<OptimizedPart> WaveNetModel::optimized_parts() { return {{"wavenet", parameters()}}; }

torch::Tensor WaveNetModel::one_hot(const torch::Tensor& labels) const {
  if (!config_.conditional) return {};
  TORCH_CHECK(labels.defined(), "a conditional WaveNet needs labels");
  return torch::one_hot(labels, num_classes_).to(torch::kFloat);
}

torch::Tensor WaveNetModel::encode(const torch::Tensor& clips) const {
  if (clips.dim() != 4 || clips.size(1) != 1 || clips.size(2) != 1)
    throw UserError("wavenet: expected audio clips (N, 1, 1, L) from data.type \"audio_folder\"");
  return mu_law_encode(clips.flatten(1), config_.levels);
}

torch::Tensor WaveNetModel::nll(const torch::Tensor& codes, const torch::Tensor& labels) {
  return channel_cross_entropy(network->forward(network->embed(codes), one_hot(labels)), codes);
}

StepMetrics WaveNetModel::train_step(StepContext& ctx) {
  Batch batch = ctx.batches->next();
  torch::Tensor codes = encode(batch.images);
  const int64_t b = codes.size(0), length = codes.size(1), w = config_.window;
  if (length < w)
    throw UserError("model.window: " + std::to_string(w) + " samples is longer than the clips (" +
                    std::to_string(length) + " samples; raise data.clip_seconds or lower model.window)");
  // One random window per clip; samples before a window's start count as silence (zeros).
  torch::Tensor starts = ctx.random.integers(length - w + 1, {b}, torch::kLong);
  std::vector<torch::Tensor> windows;
  for (int64_t i = 0; i < b; ++i) windows.push_back(codes[i].narrow(0, starts[i].item<int64_t>(), w));
  torch::Tensor labels = config_.conditional ? batch.labels : torch::Tensor();
  torch::Tensor loss = nll(torch::stack(windows), labels).mean();
  ctx.optimizers->zero_grad("wavenet");
  ctx.optimizers->backward(loss);
  ctx.optimizers->update("wavenet");
  const double nats = loss.item<double>();
  return {{"nll", nats}, {"bits_per_sample", nats / std::log(2.0)}};
}

torch::Tensor WaveNetModel::generate(int64_t batch, int64_t length, const torch::Tensor& labels,
                                     const SampleRequest& request) {
  torch::NoGradGuard no_grad;
  const torch::Device device = network->embedding->weight.device();
  const torch::Tensor condition = one_hot(labels.defined() ? labels.to(device) : labels);
  torch::Tensor codes = torch::zeros({batch, length}, torch::TensorOptions().dtype(torch::kLong).device(device));
  const int64_t r = config_.residual_channels, field = config_.receptive_field();
  // The cache runs packed (plain loops, no per-op dispatch) where it can, else as tensor ops.
  std::unique_ptr<PackedWaveNet> packed;
  std::unique_ptr<IncrementalWaveNet> incremental;
  if (request.use_cache && use_packed_step && PackedWaveNet::applies(*network))
    packed = std::make_unique<PackedWaveNet>(*network, batch, condition);
  else if (request.use_cache)
    incremental = std::make_unique<IncrementalWaveNet>(*network, batch, condition);
  torch::Tensor previous = torch::zeros({batch, r}, network->embedding->weight.options());
  for (int64_t t = 0; t < length; ++t) {
    torch::Tensor logits;
    if (packed) {
      logits = packed->step();
    } else if (incremental) {
      logits = incremental->step(previous);
    } else {
      // Samples start .. t, where sample t is a placeholder the shift drops; the earliest one
      // sample t can see is t - field, and before `start` the network pads with zeros, which is
      // what the cache holds before the first sample.
      const int64_t start = std::max<int64_t>(0, t - field);
      torch::Tensor window = network->embed(codes.slice(1, start, t + 1));
      logits = network->forward(window, condition).select(2, -1);
    }
    torch::Tensor code = draw_categorical(logits, request.temperature, request.generator);
    codes.select(1, t).copy_(code);
    if (packed) packed->set_input_codes(code);
    if (incremental) previous = network->embed(code.unsqueeze(1)).squeeze(2);
    if (request.progress) request.progress(t + 1, length);
  }
  return codes;
}

torch::Tensor WaveNetModel::sample(const SampleRequest& request) {
  if (config_.conditional && !request.labels.defined())
    throw UserError("this WaveNet is conditional: sampling needs class labels (--class)");
  const int64_t length = request.length > 0 ? request.length : sample_rate_;
  torch::Tensor codes = generate(request.num, length, request.labels, request);
  return mu_law_decode(codes, config_.levels).view({request.num, 1, 1, length});
}

}  // namespace gencli::wavenet
