#include "models/gpt/causal_attention_kernel.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/vector_math.h"

namespace gencli::gpt {

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define GENCLI_ATTENTION_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#define GENCLI_INLINE inline __attribute__((always_inline))
#else
#define GENCLI_ATTENTION_CLONES
#define GENCLI_INLINE inline
#endif

namespace {

// Keys are scored in blocks of this many: one block's sums stay in vector registers while the
// loop runs along the head dimension.
constexpr int64_t kKeyBlock = 32;

int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// The head width the kernels run at: D rounded up to a width compiled for (zero-padded).
int64_t padded_width(int64_t d) {
  for (int64_t w : {16, 32, 64})
    if (d <= w) return w;
  return kMaxHeadWidth;
}

// rows (n, d) at a stride -> out (n, W), zero-padded.
template <int64_t W>
GENCLI_INLINE void copy_padded(const float* __restrict rows, int64_t stride, int64_t n, int64_t d, float* __restrict out) {
  if (d == W) {  // the usual case: whole rows of a width known here, no library call per row
    for (int64_t j = 0; j < n; ++j)
      for (int64_t c = 0; c < W; ++c) out[j * W + c] = rows[j * stride + c];
    return;
  }
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t c = 0; c < d; ++c) out[j * W + c] = rows[j * stride + c];
    for (int64_t c = d; c < W; ++c) out[j * W + c] = 0.0f;
  }
}

// rows (n, d) -> out (W, np) transposed, zero-padded (np >= n a multiple of kKeyBlock).
template <int64_t W>
GENCLI_INLINE void transpose_padded(const float* __restrict rows, int64_t stride, int64_t n, int64_t np, int64_t d,
                                    float* __restrict out) {
  std::fill(out, out + W * np, 0.0f);
  for (int64_t c = 0; c < d; ++c)  // contiguous stores; the loads gather along the rows
    for (int64_t j = 0; j < n; ++j) out[c * np + j] = rows[j * stride + c];
}

// s[j] = scale * x . columns[:, j] for j < round_up(n, kKeyBlock); columns is (W, np). Two
// sets of sums (even and odd c) so the additions do not wait on each other.
template <int64_t W>
GENCLI_INLINE void block_scores(const float* __restrict x, const float* __restrict columns, int64_t np, int64_t n,
                                float scale, float* __restrict s) {
  for (int64_t jb = 0; jb < n; jb += kKeyBlock) {
    float even[kKeyBlock] = {}, odd[kKeyBlock] = {};
    for (int64_t c = 0; c < W; c += 2) {
      const float a = x[c], b = x[c + 1];
      const float* __restrict first = columns + c * np + jb;
      const float* __restrict second = first + np;
      for (int64_t jj = 0; jj < kKeyBlock; ++jj) {
        even[jj] += a * first[jj];
        odd[jj] += b * second[jj];
      }
    }
    for (int64_t jj = 0; jj < kKeyBlock; ++jj) s[jb + jj] = (even[jj] + odd[jj]) * scale;
  }
}

// out[:W] = sum_{j < n} w[j] rows[j] over (n, W) rows, in two sets of sums (even and odd j).
template <int64_t W>
GENCLI_INLINE void weighted_row_sum(const float* __restrict w, const float* __restrict rows, int64_t n,
                                    float* __restrict out) {
  float even[W] = {}, odd[W] = {};
  int64_t j = 0;
  for (; j + 1 < n; j += 2) {
    const float a = w[j], b = w[j + 1];
    const float* __restrict first = rows + j * W;
    const float* __restrict second = first + W;
    for (int64_t c = 0; c < W; ++c) {
      even[c] += a * first[c];
      odd[c] += b * second[c];
    }
  }
  if (j < n)
    for (int64_t c = 0; c < W; ++c) even[c] += w[j] * rows[j * W + c];
  for (int64_t c = 0; c < W; ++c) out[c] = even[c] + odd[c];
}

// Lane-wise partial reductions over whole blocks, so they vectorise without reordering flags.
constexpr int64_t kLanes = 16;

GENCLI_INLINE float lane_total(float* lanes) {
  for (int64_t w = kLanes / 2; w > 0; w /= 2)  // a tree, not a chain of 15 dependent additions
    for (int64_t l = 0; l < w; ++l) lanes[l] += lanes[l + w];
  return lanes[0];
}

GENCLI_INLINE float block_max(const float* __restrict s, int64_t nb) {
  float lanes[kLanes];
  for (int64_t l = 0; l < kLanes; ++l) lanes[l] = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < nb; j += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) lanes[l] = std::max(lanes[l], s[j + l]);
  for (int64_t w = kLanes / 2; w > 0; w /= 2)
    for (int64_t l = 0; l < w; ++l) lanes[l] = std::max(lanes[l], lanes[l + w]);
  return lanes[0];
}

GENCLI_INLINE float block_sum(const float* __restrict s, int64_t nb) {
  float lanes[kLanes] = {};
  for (int64_t j = 0; j < nb; j += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) lanes[l] += s[j + l];
  return lane_total(lanes);
}

GENCLI_INLINE float block_dot(const float* __restrict a, const float* __restrict b, int64_t nb) {
  float lanes[kLanes] = {};
  for (int64_t j = 0; j < nb; j += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) lanes[l] += a[j + l] * b[j + l];
  return lane_total(lanes);
}

// Scores s[0, n) of a block-padded row -> probabilities exp(s - shift), zero from n to the
// block's end (nb), so whole blocks can be summed.
GENCLI_INLINE void exp_padded(float* __restrict s, int64_t n, int64_t nb, float shift) {
  for (int64_t j = 0; j < nb; j += kLanes)  // whole blocks: no scalar remainder loop
    for (int64_t l = 0; l < kLanes; ++l) s[j + l] = vector_exp(s[j + l] - shift);
  for (int64_t j = n; j < nb; ++j) s[j] = 0.0f;
}

struct ForwardScratch {
  float *kt, *v, *s, *q, *row;
};

template <int64_t W>
GENCLI_INLINE void forward_blocked(const AttentionHead& h, float* __restrict out, int64_t out_stride,
                                   float* __restrict lse, float* scratch) {
  const int64_t tk = h.tk, np = round_up(tk, kKeyBlock), offset = h.tk - h.tq;
  float* __restrict kt = scratch;            // (W, np)
  float* __restrict v = kt + W * np;         // (tk, W)
  float* __restrict s = v + W * tk;          // (np)
  float* __restrict q = s + np;              // (W)
  float* __restrict row = q + W;             // (W)
  transpose_padded<W>(h.k, h.k_stride, tk, np, h.d, kt);
  copy_padded<W>(h.v, h.v_stride, tk, h.d, v);
  for (int64_t i = 0; i < h.tq; ++i) {
    const int64_t n = offset + i + 1;  // the keys query i sees
    copy_padded<W>(h.q + i * h.q_stride, 0, 1, h.d, q);
    const int64_t nb = round_up(n, kKeyBlock);
    block_scores<W>(q, kt, np, n, h.scale, s);
    for (int64_t j = n; j < nb; ++j) s[j] = -std::numeric_limits<float>::infinity();
    const float top = block_max(s, nb);
    exp_padded(s, n, nb, top);
    const float sum = block_sum(s, nb);
    weighted_row_sum<W>(s, v, n, row);
    const float inverse = 1.0f / sum;
    float* __restrict o = out + i * out_stride;
    for (int64_t c = 0; c < h.d; ++c) o[c] = row[c] * inverse;
    lse[i] = top + std::log(sum);
  }
}

template <int64_t W>
GENCLI_INLINE void backward_blocked(const AttentionHead& h, const float* __restrict out, int64_t out_stride,
                                    const float* __restrict dout, int64_t dout_stride, const float* __restrict lse,
                                    float* __restrict dq, int64_t dq_stride, float* __restrict dk, int64_t dk_stride,
                                    float* __restrict dv, int64_t dv_stride, float* scratch) {
  const int64_t tk = h.tk, d = h.d, np = round_up(tk, kKeyBlock), offset = h.tk - h.tq;
  float* __restrict kt = scratch;        // (W, np)
  float* __restrict vt = kt + W * np;    // (W, np)
  float* __restrict k = vt + W * np;     // (tk, W)
  float* __restrict gk = k + W * tk;     // (tk, W) dk, padded
  float* __restrict gv = gk + W * tk;    // (tk, W) dv, padded
  float* __restrict p = gv + W * tk;     // (np)
  float* __restrict ds = p + np;         // (np)
  float* __restrict q = ds + np;         // (W)
  float* __restrict g = q + W;           // (W)
  float* __restrict row = g + W;         // (W)
  transpose_padded<W>(h.k, h.k_stride, tk, np, d, kt);
  transpose_padded<W>(h.v, h.v_stride, tk, np, d, vt);
  copy_padded<W>(h.k, h.k_stride, tk, d, k);
  std::fill(gk, gk + 2 * W * tk, 0.0f);
  for (int64_t i = 0; i < h.tq; ++i) {
    const int64_t n = offset + i + 1;
    copy_padded<W>(h.q + i * h.q_stride, 0, 1, d, q);
    copy_padded<W>(dout + i * dout_stride, 0, 1, d, g);
    block_scores<W>(q, kt, np, n, h.scale, p);
    exp_padded(p, n, round_up(n, kKeyBlock), lse[i]);
    // dP = dO V^T; dS = P * (dP - rowsum(dO * O)), the softmax's Jacobian applied to dP.
    block_scores<W>(g, vt, np, n, 1.0f, ds);
    copy_padded<W>(out + i * out_stride, 0, 1, d, row);
    const float dot = block_dot(g, row, W);
    for (int64_t j = 0; j < n; ++j) ds[j] = p[j] * (ds[j] - dot) * h.scale;
    weighted_row_sum<W>(ds, k, n, row);
    float* __restrict dqi = dq + i * dq_stride;
    for (int64_t c = 0; c < d; ++c) dqi[c] = row[c];
    for (int64_t j = 0; j < n; ++j) {
      const float a = ds[j], b = p[j];
      float* __restrict dkj = gk + j * W;
      float* __restrict dvj = gv + j * W;
      for (int64_t c = 0; c < W; ++c) {
        dkj[c] += a * q[c];
        dvj[c] += b * g[c];
      }
    }
  }
  for (int64_t j = 0; j < tk; ++j)
    for (int64_t c = 0; c < d; ++c) {
      dk[j * dk_stride + c] = gk[j * W + c];
      dv[j * dv_stride + c] = gv[j * W + c];
    }
}

}  // namespace

int64_t attention_forward_scratch(int64_t tk, int64_t d) {
  const int64_t w = padded_width(d), np = round_up(tk, kKeyBlock);
  return 2 * w * np + np + 2 * w;
}

int64_t attention_backward_scratch(int64_t tk, int64_t d) {
  const int64_t w = padded_width(d), np = round_up(tk, kKeyBlock);
  return 2 * w * np + 3 * w * tk + 2 * np + 3 * w;
}

GENCLI_ATTENTION_CLONES
void attention_head_forward(const AttentionHead& h, float* out, int64_t out_stride, float* lse, float* scratch) {
  switch (padded_width(h.d)) {
    case 16: return forward_blocked<16>(h, out, out_stride, lse, scratch);
    case 32: return forward_blocked<32>(h, out, out_stride, lse, scratch);
    case 64: return forward_blocked<64>(h, out, out_stride, lse, scratch);
    default: return forward_blocked<kMaxHeadWidth>(h, out, out_stride, lse, scratch);
  }
}

GENCLI_ATTENTION_CLONES
void attention_head_backward(const AttentionHead& h, const float* out, int64_t out_stride, const float* dout,
                             int64_t dout_stride, const float* lse, float* dq, int64_t dq_stride, float* dk,
                             int64_t dk_stride, float* dv, int64_t dv_stride, float* scratch) {
#define GENCLI_BACKWARD_ARGS h, out, out_stride, dout, dout_stride, lse, dq, dq_stride, dk, dk_stride, dv, dv_stride, scratch
  switch (padded_width(h.d)) {
    case 16: return backward_blocked<16>(GENCLI_BACKWARD_ARGS);
    case 32: return backward_blocked<32>(GENCLI_BACKWARD_ARGS);
    case 64: return backward_blocked<64>(GENCLI_BACKWARD_ARGS);
    default: return backward_blocked<kMaxHeadWidth>(GENCLI_BACKWARD_ARGS);
  }
#undef GENCLI_BACKWARD_ARGS
}

}  // namespace gencli::gpt
