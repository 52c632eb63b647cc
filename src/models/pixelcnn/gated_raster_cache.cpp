#include "models/pixelcnn/gated_raster_cache.h"

#include "models/gated_activation.h"

namespace gencli::pixelcnn {

namespace {

torch::Tensor masked_weight(const MaskedConv2dImpl& conv) { return conv.weight * conv.mask; }

// A 1x1 convolution's weight (out, in, 1, 1) as the (in, out) matrix that multiplies a row of inputs.
torch::Tensor conv1x1_matrix(const torch::nn::Conv2dImpl& conv) {
  return conv.weight.view({conv.weight.size(0), conv.weight.size(1)}).t().contiguous();
}

}  // namespace

GatedRasterCache::GatedRasterCache(const GatedPixelCnnImpl& network, const torch::Tensor& x,
                                   const torch::Tensor& one_hot, int64_t first_row) {
  torch::NoGradGuard no_grad;
  const int64_t batch = x.size(0), height = x.size(2);
  channels_ = x.size(1);
  width_ = x.size(3);
  const auto options = x.options().dtype(torch::kFloat);
  const size_t count = network.vertical_->size();
  for (size_t l = 0; l < count; ++l) {
    const auto& vertical = network.vertical_->at<MaskedConv2dImpl>(l);
    const auto& horizontal = network.horizontal_->at<MaskedConv2dImpl>(l);
    const auto& to_horizontal = network.vertical_to_horizontal_->at<torch::nn::Conv2dImpl>(l);
    const auto& out = network.horizontal_out_->at<torch::nn::Conv2dImpl>(l);
    const int64_t kernel = vertical.weight.size(3), in = vertical.weight.size(1), p2 = vertical.weight.size(0);
    pad_ = kernel / 2;
    Layer layer;
    // The vertical mask keeps kernel rows 0..pad (the rows above and the centre row).
    layer.vertical_weight = masked_weight(vertical).slice(2, 0, pad_ + 1).contiguous();
    layer.vertical_bias = vertical.bias;
    // The row mask keeps the columns left of the centre (first layer) or up to it: `taps`
    // columns, j - pad .. j - pad + taps - 1, laid out to match a window of a (B, W, in) row.
    layer.taps = l == 0 ? pad_ : pad_ + 1;
    layer.horizontal_weight = masked_weight(horizontal).select(2, 0).slice(2, 0, layer.taps)
                                  .permute({2, 1, 0}).reshape({layer.taps * in, p2}).contiguous();
    layer.to_horizontal_weight = to_horizontal.weight;
    layer.to_horizontal_bias = to_horizontal.bias;
    layer.out_weight = conv1x1_matrix(out);
    layer.out_bias = out.bias;
    if (!network.class_bias_->is_empty())
      layer.class_bias = one_hot.matmul(network.class_bias_->at<torch::nn::LinearImpl>(l).weight.t());
    const int64_t p = p2 / 2;
    layer.vertical_rows = torch::zeros({batch, p, height + pad_, width_ + 2 * pad_}, options);
    layer.horizontal_row = torch::zeros({batch, width_ + pad_, p}, options);
    layer.row_bias = layer.class_bias.defined() ? layer.class_bias + horizontal.bias
                                                : horizontal.bias.expand({batch, p2}).contiguous();
    // Above row 0 the vertical stack's input is the padding: what it adds is the 1x1's bias.
    layer.from_above = (layer.row_bias + layer.to_horizontal_bias).unsqueeze(1).expand({batch, width_, p2}).contiguous();
    layers_.push_back(std::move(layer));
  }
  head_hidden_weight_ = conv1x1_matrix(*network.head_->hidden_);
  head_hidden_bias_ = network.head_->hidden_->bias;
  head_out_weight_ = conv1x1_matrix(*network.head_->out_);
  head_out_bias_ = network.head_->out_->bias;

  input_rows_ = torch::zeros({batch, channels_, height + pad_, width_ + 2 * pad_}, options);
  input_row_ = torch::zeros({batch, width_ + pad_, channels_}, options);
  if (first_row > 0) {
    input_rows_.slice(2, pad_, pad_ + first_row).slice(3, pad_, pad_ + width_).copy_(x.slice(2, 0, first_row));
    for (int64_t i = 0; i < first_row; ++i) finish_row(i);
  }
}

void GatedRasterCache::finish_row(int64_t i) {
  // Row i of each layer's vertical stack reads rows i - pad .. i of the layer below, which sit
  // at i .. i + pad of the zero-padded buffers.
  for (size_t l = 0; l < layers_.size(); ++l) {
    Layer& layer = layers_[l];
    const torch::Tensor& below = l == 0 ? input_rows_ : layers_[l - 1].vertical_rows;
    torch::Tensor pre = torch::conv2d(below.narrow(2, i, pad_ + 1), layer.vertical_weight, layer.vertical_bias);
    torch::Tensor biased = layer.class_bias.defined() ? pre + layer.class_bias.unsqueeze(2).unsqueeze(3) : pre;
    layer.vertical_rows.select(2, pad_ + i).narrow(2, pad_, width_).copy_(gated_activation(biased).squeeze(2));
    // The horizontal stack at row i + 1 adds this row's pre-activations through a 1x1
    // convolution, and (once per row rather than per pixel) its own and the class's biases.
    torch::Tensor above = torch::conv2d(pre, layer.to_horizontal_weight, layer.to_horizontal_bias);
    torch::add_out(layer.from_above, above.squeeze(2).transpose(1, 2), layer.row_bias.unsqueeze(1));
  }
}

torch::Tensor GatedRasterCache::logits_at(int64_t /*i*/, int64_t j) {
  torch::NoGradGuard no_grad;
  const int64_t batch = input_row_.size(0);
  torch::Tensor h;
  for (size_t l = 0; l < layers_.size(); ++l) {
    Layer& layer = layers_[l];
    const torch::Tensor& left = l == 0 ? input_row_ : layers_[l - 1].horizontal_row;
    torch::Tensor window = left.narrow(1, j, layer.taps).reshape({batch, -1});
    torch::Tensor pre = torch::addmm(layer.from_above.select(1, j), window, layer.horizontal_weight);
    torch::Tensor out = torch::addmm(layer.out_bias, gated_activation(pre), layer.out_weight);
    if (l > 0) out.add_(h);  // the residual: the first layer's input has other channels
    layer.horizontal_row.select(1, pad_ + j).copy_(out);
    h = out;
  }
  torch::Tensor hidden = torch::addmm(head_hidden_bias_, torch::relu(h), head_hidden_weight_).relu_();
  return torch::addmm(head_out_bias_, hidden, head_out_weight_);
}

void GatedRasterCache::set_pixel(int64_t i, int64_t j, const torch::Tensor& value) {
  input_row_.select(1, pad_ + j).copy_(value);
  input_rows_.select(2, pad_ + i).select(2, pad_ + j).copy_(value);
  if (j == width_ - 1) finish_row(i);
}

}  // namespace gencli::pixelcnn
