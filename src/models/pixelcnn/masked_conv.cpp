#include "models/pixelcnn/masked_conv.h"

#include <cmath>

#include "models/valid_conv2d.h"

namespace gencli::pixelcnn {

torch::Tensor make_mask(MaskKind kind, int64_t kh, int64_t kw) {
  TORCH_CHECK(kh % 2 == 1 && kw % 2 == 1, "masked convolutions need odd kernels");
  torch::Tensor mask = torch::zeros({kh, kw});
  const int64_t ch = kh / 2, cw = kw / 2;
  switch (kind) {
    case MaskKind::A:
    case MaskKind::B:
      mask.slice(0, 0, ch).fill_(1);                                          // rows above
      mask[ch].slice(0, 0, kind == MaskKind::A ? cw : cw + 1).fill_(1);      // left of (and at) the centre
      break;
    case MaskKind::Vertical:
      mask.slice(0, 0, ch + 1).fill_(1);
      break;
    case MaskKind::RowA:
    case MaskKind::RowB:
      TORCH_CHECK(kh == 1, "row masks are for 1 x k kernels");
      mask[0].slice(0, 0, kind == MaskKind::RowA ? cw : cw + 1).fill_(1);
      break;
  }
  return mask;
}

MaskedConv2dImpl::MaskedConv2dImpl(int64_t in_channels, int64_t out_channels, int64_t kernel, MaskKind kind) {
  const bool row = kind == MaskKind::RowA || kind == MaskKind::RowB;
  const int64_t kh = row ? 1 : kernel, kw = kernel;
  pad_h_ = kh / 2;
  pad_w_ = kw / 2;
  // PyTorch's Conv2d initialisation: U(-b, b) with b = 1 / sqrt(fan_in) for weight and bias.
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_channels * kh * kw));
  weight = register_parameter("weight", torch::empty({out_channels, in_channels, kh, kw}).uniform_(-bound, bound));
  bias = register_parameter("bias", torch::empty({out_channels}).uniform_(-bound, bound));
  mask = register_buffer("mask", make_mask(kind, kh, kw).view({1, 1, kh, kw}));
  // Every mask keeps the top rows and left columns of its kernel; the rest is zeros.
  kept_rows_ = kh == 1 ? 1 : pad_h_ + 1;
  kept_cols_ = kind == MaskKind::RowA ? pad_w_ : (kind == MaskKind::RowB ? pad_w_ + 1 : kw);
  kept_mask_needed_ = kind == MaskKind::A || kind == MaskKind::B;  // the centre row is cut short
}

torch::Tensor MaskedConv2dImpl::forward(const torch::Tensor& x) {
  // Convolving with only the kept corner of the kernel skips the multiply-adds with zeros (a
  // third of a 3x3 vertical kernel's). Padding pad_h above and pad_w left and right keeps
  // each output aligned with the full kernel's: row i still sees input rows i - pad_h .. i.
  torch::Tensor w = weight.slice(2, 0, kept_rows_).slice(3, 0, kept_cols_);
  if (kept_mask_needed_) w = w * mask.slice(2, 0, kept_rows_).slice(3, 0, kept_cols_);
  // What the kept columns still need on the right; negative when they never reach the last
  // input columns (a row-A kernel), which the padding then crops, so the output is W wide.
  const int64_t right = pad_w_ - (weight.size(3) - kept_cols_);
  return valid_conv2d(torch::constant_pad_nd(x, {pad_w_, right, pad_h_, 0}), w, bias);
}

torch::Tensor MaskedConv2dImpl::forward_full_kernel(const torch::Tensor& x) {
  return torch::conv2d(x, weight * mask, bias, /*stride=*/1, /*padding=*/{pad_h_, pad_w_});
}

}  // namespace gencli::pixelcnn
