#pragma once
// Cached WaveNet generation on the CPU in float32 without LibTorch's per-operator dispatch:
// IncrementalWaveNet runs ~10 tiny tensor ops per layer per sample, and their dispatch, not the
// arithmetic, is what a step costs. This copies the weights once into contiguous float arrays
// and runs each step as plain loops (packed_step_kernel.h) over the same ring buffers of the
// last `dilation` inputs per layer, giving IncrementalWaveNet's logits to float rounding.
#include <vector>

#include "core/torch_api.h"
#include "models/wavenet/wavenet_network.h"

namespace gencli::wavenet {

class PackedWaveNet {
 public:
  // Whether `net` can run packed: its weights on the CPU in float32 and CPU autocast off (under
  // sample --precision bf16 the tensor path computes in bf16, which this would not reproduce).
  static bool applies(const WaveNetImpl& net);

  // one_hot: (B, classes) or undefined. The input starts as zeros (no sample before the first).
  PackedWaveNet(WaveNetImpl& net, int64_t batch, const torch::Tensor& one_hot);

  // The next step's input: the embeddings of codes (B) int64, looked up in the packed table.
  void set_input_codes(const torch::Tensor& codes);
  // The next step's input as embeddings (B, R).
  void set_input(const torch::Tensor& embeddings);
  // One step on the input set last. Returns logits (B, levels) over a buffer of this object that
  // the next step overwrites.
  torch::Tensor step();

 private:
  // Matrices are (in, out) for row vectors, stacked so one product does what two would.
  struct Layer {
    int64_t dilation = 1;
    std::vector<float> taps;      // (2R, 2R): the past tap's rows over the present tap's
    std::vector<float> row_bias;  // (B, 2R): the conv bias plus each row's class bias
    std::vector<float> res_skip;  // (R, R + S): the residual 1x1's columns, then the skip's
    std::vector<float> res_b;     // (R)
    std::vector<float> history;   // (dilation, B, R): the layer's last inputs, a ring
  };
  int64_t batch_, residual_, skip_channels_, levels_;
  std::vector<Layer> layers_;
  std::vector<float> embedding_;   // (levels, R)
  std::vector<float> skip_bias_;   // (S): every layer's skip bias summed, added once
  std::vector<float> hidden_w_, hidden_b_, out_w_, out_b_;
  std::vector<float> input_;       // (B, R)
  // Scratch for one row: the taps' input (the input d steps back, then the residual stream),
  // the gate's input and output, the residual and skip outputs, the skip sum, the head.
  std::vector<float> tap_input_, pre_, gated_, res_skip_out_, skips_, relu_skips_, hidden_;
  std::vector<float> logits_;      // (B, levels)
  int64_t t_ = 0;
};

}  // namespace gencli::wavenet
