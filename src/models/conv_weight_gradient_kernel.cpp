#include "models/conv_weight_gradient_kernel.h"

#include <algorithm>

namespace gencli {

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define GENCLI_HAS_AVX512_KERNEL 1
#define GENCLI_AVX512 __attribute__((target("avx512f")))
#define GENCLI_INLINE inline __attribute__((always_inline))
#else
#define GENCLI_HAS_AVX512_KERNEL 0
#define GENCLI_AVX512
#define GENCLI_INLINE inline
#endif

namespace {

// Each (tap, block of output channels) keeps this many sums in registers: 16 AVX-512 vectors.
constexpr int64_t kBlockSums = 256;
// Output pixels taken together (whole rows of a narrow map, a stretch of a long one): their
// input and gradient rows stay in cache while every tap and block of output channels passes.
constexpr int64_t kPixelsTogether = 256;

// The output pixels [p_begin, p_end) of rows [first, last).
struct PixelPatch {
  int64_t first, last, p_begin, p_end;
};

// sums (OB x IC, at dw) += sum over the patch's pixels of dy[o0 .. o0 + OB) x the input pixel
// that tap (th, tw) reads.
template <int64_t IC, int64_t OB>
GENCLI_INLINE void block_of_tap(const float* __restrict x, const float* __restrict dy, const ConvWeightGradShape& s,
                                const PixelPatch& patch, int64_t th, int64_t tw, int64_t o0, float* __restrict dw) {
  float sums[OB][IC];
  for (int64_t o = 0; o < OB; ++o)
    for (int64_t c = 0; c < IC; ++c) sums[o][c] = dw[o * IC + c];
  for (int64_t r = patch.first; r < patch.last; ++r) {
    const int64_t n = r / s.out_h, y = r % s.out_h;
    const float* __restrict in = x + ((n * s.in_h + y + th * s.dilation_h) * s.in_w + tw * s.dilation_w) * IC;
    const float* __restrict grad = dy + r * s.out_w * s.out_c + o0;
    for (int64_t p = patch.p_begin; p < patch.p_end; ++p) {
      const float* __restrict pixel = in + p * IC;
      const float* __restrict g = grad + p * s.out_c;
      for (int64_t o = 0; o < OB; ++o) {
        const float a = g[o];
        for (int64_t c = 0; c < IC; ++c) sums[o][c] += a * pixel[c];
      }
    }
  }
  for (int64_t o = 0; o < OB; ++o)
    for (int64_t c = 0; c < IC; ++c) dw[o * IC + c] = sums[o][c];
}

template <int64_t IC>
GENCLI_INLINE void rows_for(const float* x, const float* dy, const ConvWeightGradShape& s, int64_t row_begin,
                            int64_t row_end, float* dw) {
  constexpr int64_t OB = kBlockSums / IC;
  const int64_t rows_together = std::max<int64_t>(1, kPixelsTogether / s.out_w);
  const int64_t stretch = std::min(s.out_w, kPixelsTogether);
  for (int64_t first = row_begin; first < row_end; first += rows_together) {
    const int64_t last = std::min(row_end, first + rows_together);
    for (int64_t p = 0; p < s.out_w; p += stretch) {
      const PixelPatch patch{first, last, p, std::min(s.out_w, p + stretch)};
      for (int64_t th = 0; th < s.kernel_h; ++th)
        for (int64_t tw = 0; tw < s.kernel_w; ++tw)
          for (int64_t o0 = 0; o0 < s.out_c; o0 += OB)
            block_of_tap<IC, OB>(x, dy, s, patch, th, tw, o0, dw + ((th * s.kernel_w + tw) * s.out_c + o0) * IC);
    }
  }
}

GENCLI_AVX512 void rows_avx512(const float* x, const float* dy, const ConvWeightGradShape& s, int64_t row_begin,
                               int64_t row_end, float* dw) {
  switch (s.in_c) {
    case 16: return rows_for<16>(x, dy, s, row_begin, row_end, dw);
    case 32: return rows_for<32>(x, dy, s, row_begin, row_end, dw);
    case 64: return rows_for<64>(x, dy, s, row_begin, row_end, dw);
    default: return;
  }
}

bool cpu_has_avx512() {
#if GENCLI_HAS_AVX512_KERNEL
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
#else
  return false;
#endif
}

}  // namespace

bool conv_weight_gradient_kernel_takes(const ConvWeightGradShape& s) {
  const bool channels = (s.in_c == 16 || s.in_c == 32 || s.in_c == 64) && s.out_c > 0 &&
                        s.out_c % (kBlockSums / s.in_c) == 0;
  const bool taps = s.kernel_h >= 1 && s.kernel_w >= 1 && s.dilation_h >= 1 && s.dilation_w >= 1;
  const bool fits = s.out_h > 0 && s.out_w > 0 && s.in_h >= s.out_h + (s.kernel_h - 1) * s.dilation_h &&
                    s.in_w >= s.out_w + (s.kernel_w - 1) * s.dilation_w;
  return channels && taps && fits && cpu_has_avx512();
}

void conv_weight_gradient_rows(const float* x, const float* dy, const ConvWeightGradShape& shape, int64_t row_begin,
                               int64_t row_end, float* dw) {
  // The caller checked conv_weight_gradient_kernel_takes(shape).
  rows_avx512(x, dy, shape, row_begin, row_end, dw);
}

}  // namespace gencli
