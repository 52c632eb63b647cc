#pragma once
// The weight gradient of a stride-1, unpadded 2-d convolution over channels-last (NHWC) maps,
// kept free of LibTorch: for every kernel tap, the sum over output pixels of the outer product
// of the pixel's output gradient (O values) and the input pixel the tap reads (I values). The
// output channels go in blocks whose sums stay in vector registers while a run of pixels
// streams past, so each input row loaded serves the whole block. Compiled for AVX-512 only:
// where oneDNN 2.6 (LibTorch 1.13's) computed these gradients at 60-200 GFLOP/s on a Zen 5
// core pair, this ran at 180-310; its AVX2 build was not faster than oneDNN's AVX2 code.
#include <cstdint>

namespace gencli {

struct ConvWeightGradShape {
  int64_t in_h = 0, in_w = 0, in_c = 0;     // the input map of one sample
  int64_t out_h = 0, out_w = 0, out_c = 0;  // the output map of one sample
  int64_t kernel_h = 1, kernel_w = 1, dilation_h = 1, dilation_w = 1;
};

// Whether conv_weight_gradient_rows takes this shape on this CPU: AVX-512, 16, 32 or 64 input
// channels and output channels a multiple of the block (256 / in_c), and input maps as large as
// the output and the dilated kernel need.
bool conv_weight_gradient_kernel_takes(const ConvWeightGradShape& shape);

// Adds the weight gradient from output rows [row_begin, row_end) to dw, laid out (kernel_h,
// kernel_w, out_c, in_c). Row r is output row r % out_h of sample r / out_h; x is the input
// (N, in_h, in_w, in_c), dy the output gradient (N, out_h, out_w, out_c), both dense.
void conv_weight_gradient_rows(const float* x, const float* dy, const ConvWeightGradShape& shape, int64_t row_begin,
                               int64_t row_end, float* dw);

}  // namespace gencli
