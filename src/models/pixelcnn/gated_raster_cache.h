#pragma once
// Pixel-by-pixel generation for the gated PixelCNN that computes each activation once.
//
// Drawing pixel (i, j) needs the network's logits there, which the plain path gets by running
// the whole network on rows 0..i for every pixel: ~H/2 rows of work per pixel. The gated
// network's two stacks make that unnecessary:
// - the vertical stack's row i depends on input rows <= i only, so it is computed once per
//   row, as soon as row i is complete (one row of each layer, from the cached rows above);
// - the horizontal stack at (i, j) depends on its own row left of j and on the vertical
//   stack's row i - 1 (through the 1x1 vertical-to-horizontal convolution, also computed
//   once per row), so each pixel costs one pixel of each layer: a few small matrix products.
// The masked weights are applied (and repacked as matrices) once, at construction.
#include "core/torch_api.h"
#include "models/pixelcnn/pixelcnn_networks.h"

namespace gencli::pixelcnn {

class GatedRasterCache {
 public:
  // x: the network input (B, C, H, W), of which rows < first_row are given (and are read
  // now); the rest is drawn through set_pixel. one_hot: (B, classes), or undefined.
  GatedRasterCache(const GatedPixelCnnImpl& network, const torch::Tensor& x, const torch::Tensor& one_hot,
                   int64_t first_row);

  // The output logits at (i, j), (B, outputs): what the network's forward gives there. Every
  // pixel before (i, j) in raster order must have been given or set.
  torch::Tensor logits_at(int64_t i, int64_t j);
  // Records the drawn network input at (i, j), (B, C). Setting a row's last pixel runs that
  // row through the vertical stack.
  void set_pixel(int64_t i, int64_t j, const torch::Tensor& value);

 private:
  struct Layer {
    torch::Tensor vertical_weight, vertical_bias;  // the masked kernel's rows that see anything
    torch::Tensor horizontal_weight;               // (taps * in, 2p): the masked row kernel as a matrix
    torch::Tensor to_horizontal_weight, to_horizontal_bias;
    torch::Tensor out_weight, out_bias;            // horizontal_out as (p, p)^T and (p)
    torch::Tensor class_bias;                      // (B, 2p), or undefined
    torch::Tensor row_bias;                        // (B, 2p): the row kernel's bias plus the class bias
    int64_t taps = 0;                              // columns of the row kernel that see anything
    torch::Tensor vertical_rows;                   // gated vertical output (B, p, H + pad, W + 2 pad), zero-padded
    torch::Tensor horizontal_row;                  // the current row's horizontal stack (B, W + pad, p)
    torch::Tensor from_above;                      // (B, W, 2p): what row i - 1's vertical stack adds to row i
  };

  void finish_row(int64_t i);  // runs row i through the vertical stack, for row i + 1

  std::vector<Layer> layers_;
  torch::Tensor head_hidden_weight_, head_hidden_bias_, head_out_weight_, head_out_bias_;
  torch::Tensor input_rows_;  // the network input, zero-padded as the vertical convolutions see it
  torch::Tensor input_row_;   // the current row of the input as the first row kernel sees it (B, W + pad, C)
  int64_t pad_ = 0, width_ = 0, channels_ = 0;
};

}  // namespace gencli::pixelcnn
