#pragma once
// Convolutions that only see pixels already generated in raster order (row by row, left to
// right), the building block of PixelCNN (van den Oord et al. 2016, "Pixel Recurrent Neural
// Networks", section 3.4). The weight is multiplied by a fixed 0/1 mask on every forward, so
// the optimizer may change masked weights without effect.
//
// Masks are spatial: every channel of a pixel is predicted from the pixels before it, not from
// the other channels of the same pixel (for colour images that is a weaker but exact model).
#include "core/torch_api.h"

namespace gencli::pixelcnn {

enum class MaskKind {
  A,         // rows above, and the current row left of the centre (first layer: excludes the pixel itself)
  B,         // as A, plus the centre (later layers: the pixel's own features are already causal)
  Vertical,  // the rows above and the centre row, every column (gated PixelCNN's vertical stack)
  RowA,      // a 1 x k kernel: the columns left of the centre (gated horizontal stack, first layer)
  RowB,      // a 1 x k kernel: the columns left of and at the centre
};

// The (kh, kw) 0/1 mask of `kind` for an odd-sized kernel.
torch::Tensor make_mask(MaskKind kind, int64_t kh, int64_t kw);

class MaskedConv2dImpl : public torch::nn::Module {
 public:
  // Same-size output: padding kernel/2 on every side. Row kinds use a 1 x kernel kernel.
  MaskedConv2dImpl(int64_t in_channels, int64_t out_channels, int64_t kernel, MaskKind kind);
  torch::Tensor forward(const torch::Tensor& x);
  // The same convolution with the whole masked kernel (the textbook form; for tests).
  torch::Tensor forward_full_kernel(const torch::Tensor& x);

  torch::Tensor weight, bias, mask;

 private:
  int64_t pad_h_, pad_w_;
  int64_t kept_rows_, kept_cols_;  // the kernel's top-left corner outside which the mask is zero
  bool kept_mask_needed_;          // whether that corner still holds masked weights
};
TORCH_MODULE(MaskedConv2d);

}  // namespace gencli::pixelcnn
