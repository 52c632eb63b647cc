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

// Queries are taken in tiles of this many rows, so each key or value row loaded from memory
// serves several of them; the tile's sums fit AVX-512's 32 vector registers at this width.
template <int64_t W>
constexpr int64_t query_tile() {
  return W <= 32 ? 4 : (W == 64 ? 2 : 1);
}
constexpr int64_t kMaxQueryTile = 4;

// s[r][j] = scale * x[r] . columns[:, j] for R rows of x (R x W) and j < round_up(n, kKeyBlock);
// columns is (W, np), s is R rows of np. Two sets of sums per row (even and odd c) so the
// additions do not wait on each other; each row's sums are the same whatever R is.
template <int64_t W, int64_t R>
GENCLI_INLINE void tile_scores(const float* __restrict x, const float* __restrict columns, int64_t np, int64_t n,
                               float scale, float* __restrict s) {
  for (int64_t jb = 0; jb < n; jb += kKeyBlock) {
    float even[R][kKeyBlock] = {}, odd[R][kKeyBlock] = {};
    for (int64_t c = 0; c < W; c += 2) {
      const float* __restrict first = columns + c * np + jb;
      const float* __restrict second = first + np;
      for (int64_t r = 0; r < R; ++r) {
        const float a = x[r * W + c], b = x[r * W + c + 1];
        for (int64_t jj = 0; jj < kKeyBlock; ++jj) {
          even[r][jj] += a * first[jj];
          odd[r][jj] += b * second[jj];
        }
      }
    }
    for (int64_t r = 0; r < R; ++r)
      for (int64_t jj = 0; jj < kKeyBlock; ++jj) s[r * np + jb + jj] = (even[r][jj] + odd[r][jj]) * scale;
  }
}

// out[r][:W] = sum_{j < n} w[r][j] rows[j] over (n, W) rows for R rows of weights (stride np),
// in two sets of sums (even and odd j). A row whose weights are zero from some j on gets the
// sums it would get alone up to that j.
template <int64_t W, int64_t R>
GENCLI_INLINE void tile_weighted_rows(const float* __restrict w, int64_t np, const float* __restrict rows, int64_t n,
                                      float* __restrict out) {
  float even[R][W] = {}, odd[R][W] = {};
  int64_t j = 0;
  for (; j + 1 < n; j += 2) {
    const float* __restrict first = rows + j * W;
    const float* __restrict second = first + W;
    for (int64_t r = 0; r < R; ++r) {
      const float a = w[r * np + j], b = w[r * np + j + 1];
      for (int64_t c = 0; c < W; ++c) {
        even[r][c] += a * first[c];
        odd[r][c] += b * second[c];
      }
    }
  }
  if (j < n)
    for (int64_t r = 0; r < R; ++r)
      for (int64_t c = 0; c < W; ++c) even[r][c] += w[r * np + j] * rows[j * W + c];
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < W; ++c) out[r * W + c] = even[r][c] + odd[r][c];
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

// Queries first .. first + R - 1 of the head: their scores over the keys each sees (zero
// weight beyond), softmax, and the weighted sum of the values.
template <int64_t W, int64_t R>
GENCLI_INLINE void forward_tile(const AttentionHead& h, int64_t first, const float* __restrict kt,
                                const float* __restrict v, int64_t np, float* __restrict out, int64_t out_stride,
                                float* __restrict lse, float* __restrict s, float* __restrict q,
                                float* __restrict rows) {
  const int64_t offset = h.tk - h.tq, last_n = offset + first + R, tile_nb = round_up(last_n, kKeyBlock);
  copy_padded<W>(h.q + first * h.q_stride, h.q_stride, R, h.d, q);
  tile_scores<W, R>(q, kt, np, last_n, h.scale, s);
  float inverse[R];
  for (int64_t r = 0; r < R; ++r) {
    float* __restrict sr = s + r * np;
    const int64_t n = offset + first + r + 1, nb = round_up(n, kKeyBlock);  // the keys this query sees
    for (int64_t j = n; j < nb; ++j) sr[j] = -std::numeric_limits<float>::infinity();
    const float top = block_max(sr, nb);
    exp_padded(sr, n, nb, top);
    std::fill(sr + nb, sr + tile_nb, 0.0f);
    const float sum = block_sum(sr, nb);
    inverse[r] = 1.0f / sum;
    lse[first + r] = top + std::log(sum);
  }
  tile_weighted_rows<W, R>(s, np, v, last_n, rows);
  for (int64_t r = 0; r < R; ++r) {
    float* __restrict o = out + (first + r) * out_stride;
    for (int64_t c = 0; c < h.d; ++c) o[c] = rows[r * W + c] * inverse[r];
  }
}

template <int64_t W>
GENCLI_INLINE void forward_blocked(const AttentionHead& h, float* __restrict out, int64_t out_stride,
                                   float* __restrict lse, float* scratch) {
  constexpr int64_t R = query_tile<W>();
  const int64_t tk = h.tk, np = round_up(tk, kKeyBlock);
  float* __restrict kt = scratch;       // (W, np)
  float* __restrict v = kt + W * np;    // (tk, W)
  float* __restrict s = v + W * tk;     // (R, np)
  float* __restrict q = s + R * np;     // (R, W)
  float* __restrict rows = q + R * W;   // (R, W)
  transpose_padded<W>(h.k, h.k_stride, tk, np, h.d, kt);
  copy_padded<W>(h.v, h.v_stride, tk, h.d, v);
  int64_t i = 0;
  for (; i + R <= h.tq; i += R) forward_tile<W, R>(h, i, kt, v, np, out, out_stride, lse, s, q, rows);
  for (; i < h.tq; ++i) forward_tile<W, 1>(h, i, kt, v, np, out, out_stride, lse, s, q, rows);
}

struct BackwardBuffers {
  const float *kt, *vt, *k;  // (W, np), (W, np), (tk, W)
  float *gk, *gv;            // (tk, W) dk and dv, padded
  float *p, *ds;             // (R, np)
  float *q, *g, *o, *rows;   // (R, W)
  int64_t np;
};

// The gradients from queries first .. first + R - 1: their dq rows, and their shares of dk and
// dv added to b.gk and b.gv in query order.
template <int64_t W, int64_t R>
GENCLI_INLINE void backward_tile(const AttentionHead& h, int64_t first, const BackwardBuffers& b,
                                 const float* __restrict out, int64_t out_stride, const float* __restrict dout,
                                 int64_t dout_stride, const float* __restrict lse, float* __restrict dq,
                                 int64_t dq_stride) {
  const int64_t np = b.np, offset = h.tk - h.tq, last_n = offset + first + R, tile_nb = round_up(last_n, kKeyBlock);
  float* __restrict p = b.p;
  float* __restrict ds = b.ds;
  float* __restrict q = b.q;
  float* __restrict g = b.g;
  float* __restrict o = b.o;
  copy_padded<W>(h.q + first * h.q_stride, h.q_stride, R, h.d, q);
  copy_padded<W>(dout + first * dout_stride, dout_stride, R, h.d, g);
  copy_padded<W>(out + first * out_stride, out_stride, R, h.d, o);
  tile_scores<W, R>(q, b.kt, np, last_n, h.scale, p);
  // dP = dO V^T; dS = P * (dP - rowsum(dO * O)), the softmax's Jacobian applied to dP.
  tile_scores<W, R>(g, b.vt, np, last_n, 1.0f, ds);
  for (int64_t r = 0; r < R; ++r) {
    float* __restrict pr = p + r * np;
    float* __restrict dsr = ds + r * np;
    const int64_t n = offset + first + r + 1, nb = round_up(n, kKeyBlock);
    exp_padded(pr, n, nb, lse[first + r]);
    std::fill(pr + nb, pr + tile_nb, 0.0f);
    const float dot = block_dot(g + r * W, o + r * W, W);
    for (int64_t j = 0; j < n; ++j) dsr[j] = pr[j] * (dsr[j] - dot) * h.scale;
    std::fill(dsr + n, dsr + tile_nb, 0.0f);
  }
  tile_weighted_rows<W, R>(ds, np, b.k, last_n, b.rows);
  for (int64_t r = 0; r < R; ++r) {
    float* __restrict dqi = dq + (first + r) * dq_stride;
    for (int64_t c = 0; c < h.d; ++c) dqi[c] = b.rows[r * W + c];
  }
  // Each key row is loaded and stored once for the tile; a query that does not see it adds zero.
  for (int64_t j = 0; j < last_n; ++j) {
    float* __restrict dkj = b.gk + j * W;
    float* __restrict dvj = b.gv + j * W;
    float key[W], value[W];
    for (int64_t c = 0; c < W; ++c) {
      key[c] = dkj[c];
      value[c] = dvj[c];
    }
    for (int64_t r = 0; r < R; ++r) {
      const float ds_rj = ds[r * np + j], p_rj = p[r * np + j];
      for (int64_t c = 0; c < W; ++c) {
        key[c] += ds_rj * q[r * W + c];
        value[c] += p_rj * g[r * W + c];
      }
    }
    for (int64_t c = 0; c < W; ++c) {
      dkj[c] = key[c];
      dvj[c] = value[c];
    }
  }
}

template <int64_t W>
GENCLI_INLINE void backward_blocked(const AttentionHead& h, const float* __restrict out, int64_t out_stride,
                                    const float* __restrict dout, int64_t dout_stride, const float* __restrict lse,
                                    float* __restrict dq, int64_t dq_stride, float* __restrict dk, int64_t dk_stride,
                                    float* __restrict dv, int64_t dv_stride, float* scratch) {
  constexpr int64_t R = query_tile<W>();
  const int64_t tk = h.tk, d = h.d, np = round_up(tk, kKeyBlock);
  float* __restrict kt = scratch;        // (W, np)
  float* __restrict vt = kt + W * np;    // (W, np)
  float* __restrict k = vt + W * np;     // (tk, W)
  float* __restrict gk = k + W * tk;     // (tk, W)
  float* __restrict gv = gk + W * tk;    // (tk, W)
  float* __restrict p = gv + W * tk;     // (R, np)
  float* __restrict ds = p + R * np;     // (R, np)
  float* __restrict q = ds + R * np;     // (R, W) each: q, g, o, rows
  transpose_padded<W>(h.k, h.k_stride, tk, np, d, kt);
  transpose_padded<W>(h.v, h.v_stride, tk, np, d, vt);
  copy_padded<W>(h.k, h.k_stride, tk, d, k);
  std::fill(gk, gk + 2 * W * tk, 0.0f);
  const BackwardBuffers b{kt, vt, k, gk, gv, p, ds, q, q + R * W, q + 2 * R * W, q + 3 * R * W, np};
  int64_t i = 0;
  for (; i + R <= h.tq; i += R) backward_tile<W, R>(h, i, b, out, out_stride, dout, dout_stride, lse, dq, dq_stride);
  for (; i < h.tq; ++i) backward_tile<W, 1>(h, i, b, out, out_stride, dout, dout_stride, lse, dq, dq_stride);
  for (int64_t j = 0; j < tk; ++j)
    for (int64_t c = 0; c < d; ++c) {
      dk[j * dk_stride + c] = gk[j * W + c];
      dv[j * dv_stride + c] = gv[j * W + c];
    }
}

}  // namespace

int64_t attention_forward_scratch(int64_t tk, int64_t d) {
  const int64_t w = padded_width(d), np = round_up(tk, kKeyBlock);
  return 2 * w * np + kMaxQueryTile * (np + 2 * w);
}

int64_t attention_backward_scratch(int64_t tk, int64_t d) {
  const int64_t w = padded_width(d), np = round_up(tk, kKeyBlock);
  return 2 * w * np + 3 * w * tk + kMaxQueryTile * (2 * np + 4 * w);
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
