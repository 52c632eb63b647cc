#pragma once
// The WaveNet network (van den Oord et al. 2016, "WaveNet: A Generative Model for Raw Audio"):
// an embedding of the previous sample's mu-law code, a stack of causal dilated convolutions
// (kernel 2) with gated units tanh(f) * sigmoid(g), residual connections within the stack and
// skip connections summed into a ReLU / 1x1 / ReLU / 1x1 head that gives `levels` logits.
//
// Two ways to run it, which compute the same logits:
//  - forward(): every position of a sequence at once (training, evaluation);
//  - IncrementalWaveNet: one sample at a time, each layer keeping the last `dilation` inputs it
//    saw in a ring buffer, so a step costs one pass through the layers instead of a pass over
//    the whole receptive field (the fast-generation trick of Paine et al. 2016).
#include <vector>

#include "core/torch_api.h"
#include "models/wavenet/wavenet_config.h"

namespace gencli::wavenet {

class WaveNetImpl : public torch::nn::Module {
 public:
  WaveNetImpl(const WaveNetConfig& config, int64_t num_classes);

  // codes (B, T) int64 -> embeddings (B, R, T).
  torch::Tensor embed(const torch::Tensor& codes);
  // Embeddings of a sequence (B, R, T) -> logits (B, levels, T), where position t is predicted
  // from the embeddings before t only: the input is shifted right by one, zeros first.
  torch::Tensor forward(const torch::Tensor& embeddings, const torch::Tensor& one_hot);
  // Per-layer class biases (B, 2R) for a one-hot (B, classes), or empty when unconditional.
  std::vector<torch::Tensor> class_biases(const torch::Tensor& one_hot);

  std::vector<int64_t> dilations;
  torch::nn::Embedding embedding{nullptr};
  torch::nn::ModuleList dilated, residual, skip, class_bias;
  torch::nn::Conv1d head_hidden{nullptr}, head_out{nullptr};

 private:
  WaveNetConfig config_;
};
TORCH_MODULE(WaveNet);

// Generation state for a batch: feed the previous sample's embedding (zeros at the start),
// get the logits of the next sample.
class IncrementalWaveNet {
 public:
  // one_hot: (B, classes) or undefined.
  IncrementalWaveNet(WaveNetImpl& net, int64_t batch, const torch::Tensor& one_hot);
  // previous: (B, R) embedding of the last sample (zeros before the first). Returns (B, levels).
  torch::Tensor step(const torch::Tensor& previous);

 private:
  struct Layer {
    int64_t dilation;
    torch::Tensor tap_past, tap_now, bias;  // (R, 2R) each half of the kernel, transposed; (2R)
    torch::Tensor res_w, res_b, skip_w, skip_b;
    torch::Tensor history;                  // (dilation, B, R): the layer's last inputs, a ring
  };
  std::vector<Layer> layers_;
  std::vector<torch::Tensor> class_biases_;
  torch::Tensor hidden_w_, hidden_b_, out_w_, out_b_;
  int64_t t_ = 0;
};

}  // namespace gencli::wavenet
