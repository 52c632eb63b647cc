#include "models/gan/networks.h"

#include "models/transposed_conv.h"

namespace gencli::gan {

namespace nn = torch::nn;

namespace {

int64_t pixels(const GanConfig& m) { return m.image_channels * m.image_size * m.image_size; }

nn::LeakyReLU leaky(const GanConfig& m) {
  return nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(m.leaky_slope));
}

// 100 -> 256 -> 512 -> 784 with LeakyReLU between and Tanh at the end (the classic MLP GAN).
nn::Sequential mlp_generator(const GanConfig& m, int64_t input) {
  nn::Sequential s;
  for (int64_t width : m.g_hidden) {
    s->push_back(nn::Linear(input, width));
    s->push_back(leaky(m));
    input = width;
  }
  s->push_back(nn::Linear(input, pixels(m)));
  s->push_back(nn::Tanh());
  s->push_back(nn::Unflatten(nn::UnflattenOptions(1, {m.image_channels, m.image_size, m.image_size})));
  return s;
}

// 784 -> 512 -> 256 -> 1 with LeakyReLU; the last layer is linear (logits or critic values).
nn::Sequential mlp_discriminator(const GanConfig& m, int64_t input) {
  nn::Sequential s;
  for (int64_t width : m.d_hidden) {
    s->push_back(nn::Linear(input, width));
    s->push_back(leaky(m));
    input = width;
  }
  s->push_back(nn::Linear(input, 1));
  return s;
}

// Radford et al. 2016 shape for 28x28: project to (2w, S/4, S/4), then two stride-2
// transposed convolutions up to S x S. BatchNorm in the generator only.
nn::Sequential dcgan_generator(const GanConfig& m, int64_t input) {
  const int64_t w = m.dcgan_width, s4 = m.image_size / 4;
  nn::Sequential s;
  s->push_back(nn::Linear(input, 2 * w * s4 * s4));
  s->push_back(nn::Unflatten(nn::UnflattenOptions(1, {2 * w, s4, s4})));
  s->push_back(nn::BatchNorm2d(2 * w));
  s->push_back(nn::ReLU());
  s->push_back(TransposedConv2d(nn::ConvTranspose2dOptions(2 * w, w, 4).stride(2).padding(1)));
  s->push_back(nn::BatchNorm2d(w));
  s->push_back(nn::ReLU());
  s->push_back(TransposedConv2d(nn::ConvTranspose2dOptions(w, m.image_channels, 4).stride(2).padding(1)));
  s->push_back(nn::Tanh());
  return s;
}

// No BatchNorm in the critic: a gradient penalty is defined per sample, and real and
// fake batches can then share one forward pass.
nn::Sequential dcgan_discriminator(const GanConfig& m, int64_t in_channels) {
  const int64_t w = m.dcgan_width, s4 = m.image_size / 4;
  nn::Sequential s;
  s->push_back(nn::Conv2d(nn::Conv2dOptions(in_channels, w, 4).stride(2).padding(1)));
  s->push_back(leaky(m));
  s->push_back(nn::Conv2d(nn::Conv2dOptions(w, 2 * w, 4).stride(2).padding(1)));
  s->push_back(leaky(m));
  s->push_back(nn::Flatten());
  s->push_back(nn::Linear(2 * w * s4 * s4, 1));
  return s;
}

}  // namespace

GeneratorImpl::GeneratorImpl(NetworkOptions options_) : options(std::move(options_)) { reset(); }

void GeneratorImpl::reset() {
  const GanConfig& m = options.model;
  int64_t input = m.latent_dim;
  if (m.conditional) {
    // The label joins the noise as a learned vector of num_classes numbers.
    label_embedding = register_module("label_embedding", nn::Embedding(options.num_classes, options.num_classes));
    input += options.num_classes;
  }
  body = register_module("body", m.arch == "mlp" ? mlp_generator(m, input) : dcgan_generator(m, input));
}

torch::Tensor GeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& labels) {
  if (!options.model.conditional) return body->forward(z);
  return body->forward(torch::cat({z, label_embedding->forward(labels)}, 1));
}

DiscriminatorImpl::DiscriminatorImpl(NetworkOptions options_) : options(std::move(options_)) { reset(); }

void DiscriminatorImpl::reset() {
  const GanConfig& m = options.model;
  if (m.arch == "mlp") {
    int64_t input = pixels(m);
    if (m.conditional) {
      label_embedding = register_module("label_embedding", nn::Embedding(options.num_classes, options.num_classes));
      input += options.num_classes;
    }
    body = register_module("body", mlp_discriminator(m, input));
  } else {
    int64_t channels = m.image_channels;
    if (m.conditional) {
      // The label enters as one extra image channel (a learned H x W map per class).
      label_embedding = register_module("label_embedding",
                                        nn::Embedding(options.num_classes, m.image_size * m.image_size));
      channels += 1;
    }
    body = register_module("body", dcgan_discriminator(m, channels));
  }
}

torch::Tensor DiscriminatorImpl::forward(const torch::Tensor& images, const torch::Tensor& labels) {
  const GanConfig& m = options.model;
  torch::Tensor x = m.arch == "mlp" ? images.flatten(1) : images;
  if (m.conditional) {
    torch::Tensor e = label_embedding->forward(labels);
    if (m.arch != "mlp") e = e.view({-1, 1, m.image_size, m.image_size});
    x = torch::cat({x, e}, 1);
  }
  return body->forward(x).view({-1});
}

}  // namespace gencli::gan
