#include "models/diffusion/denoiser.h"

#include <cmath>

namespace gencli::diffusion {

namespace nn = torch::nn;

torch::Tensor timestep_embedding(const torch::Tensor& t, int64_t width) {
  const int64_t half = width / 2;
  torch::Tensor frequencies =
      torch::exp(-std::log(10000.0) * torch::arange(half, torch::TensorOptions().dtype(torch::kFloat)) / half)
          .to(t.device());
  torch::Tensor angles = t.to(torch::kFloat).unsqueeze(1) * frequencies.unsqueeze(0);
  torch::Tensor embedding = torch::cat({torch::sin(angles), torch::cos(angles)}, 1);
  if (width % 2 == 1) embedding = torch::nn::functional::pad(embedding, nn::functional::PadFuncOptions({0, 1}));
  return embedding;
}

DenoiserImpl::DenoiserImpl(DiffusionConfig c, int64_t classes) : config(std::move(c)), num_classes(classes) { reset(); }

int64_t DenoiserImpl::embedding_width() const {
  return config.arch == "unet" ? 4 * config.base_channels : 128;
}

void DenoiserImpl::reset() {
  const int64_t width = embedding_width();
  time_hidden = register_module("time_hidden", nn::Linear(width, width));
  time_out = register_module("time_out", nn::Linear(width, width));
  // One extra row: the "no label" class that classifier-free guidance trains and samples with.
  if (config.conditional) class_embedding = register_module("class_embedding", nn::Embedding(num_classes + 1, width));
  if (config.text_conditional) text_encoder = register_module("text_encoder", TextEncoder(config));
  if (config.arch == "unet")
    unet = register_module("unet", UNet(config, width));
  else
    mlp = register_module("mlp", ToyDenoiser(config, width));
}

torch::Tensor DenoiserImpl::forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor& labels,
                                    const PromptTokens* prompt) {
  const int64_t width = embedding_width();
  torch::Tensor embedding = time_out->forward(torch::silu(time_hidden->forward(timestep_embedding(t, width))));
  if (config.conditional) {
    TORCH_CHECK(labels.defined(), "a conditional denoiser needs labels");
    embedding = embedding + class_embedding->forward(labels);
  }
  if (text_encoder) {
    TORCH_CHECK(prompt && prompt->defined(), "a text-conditional denoiser needs prompt tokens");
    const TextContext context = text_encoder->forward(*prompt);
    return unet->forward(x, embedding, &context);
  }
  return unet ? unet->forward(x, embedding) : mlp->forward(x, embedding);
}

}  // namespace gencli::diffusion
