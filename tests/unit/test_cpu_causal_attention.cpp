// gencli's fused CPU attention against the naive path (LibTorch's matmul, mask and softmax):
// values and the gradients of q, k and v, for full and cached (Tq < Tk) shapes, head sizes that
// are and are not multiples of a vector, inputs read in place from a packed projection, large
// scores, and which tensors it takes.
#include <gtest/gtest.h>

#include "models/gpt/attention.h"
#include "models/gpt/cpu_causal_attention.h"

using namespace gencli::gpt;

namespace {

struct AttentionResult {
  torch::Tensor out, dq, dk, dv;
};

AttentionResult run_attention(torch::Tensor (*attention)(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&),
           const torch::Tensor& q_in, const torch::Tensor& k_in, const torch::Tensor& v_in, const torch::Tensor& upstream) {
  torch::Tensor q = q_in.detach().requires_grad_(true), k = k_in.detach().requires_grad_(true),
                v = v_in.detach().requires_grad_(true);
  torch::Tensor out = attention(q, k, v);
  auto grads = torch::autograd::grad({out}, {q, k, v}, {upstream});
  return {out.detach(), grads[0], grads[1], grads[2]};
}

void expect_attention_close(const torch::Tensor& a, const torch::Tensor& b, const std::string& what) {
  ASSERT_EQ(a.sizes(), b.sizes()) << what;
  const float scale = std::max(1.0f, b.abs().max().item<float>());
  EXPECT_LT((a - b).abs().max().item<float>(), 2e-5f * scale) << what;
}

void expect_matches_naive(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                          const std::string& what) {
  ASSERT_TRUE(cpu_causal_attention_applies(q, k, v)) << what;
  torch::Tensor upstream = torch::randn(q.sizes());
  AttentionResult fused = run_attention(cpu_causal_attention, q, k, v, upstream);
  AttentionResult naive = run_attention(naive_attention, q, k, v, upstream);
  expect_attention_close(fused.out, naive.out, what + " output");
  expect_attention_close(fused.dq, naive.dq, what + " dq");
  expect_attention_close(fused.dk, naive.dk, what + " dk");
  expect_attention_close(fused.dv, naive.dv, what + " dv");
}

}  // namespace

TEST(CpuCausalAttention, EqualsNaiveValuesAndGradients) {
  torch::manual_seed(5);
  for (int64_t d : {1, 5, 16, 32, 40, 100, 128}) {
    for (int64_t tk : {1, 2, 17, 64}) {
      for (int64_t tq : {tk, int64_t{1}, (tk + 1) / 2}) {
        torch::Tensor q = torch::randn({2, 3, tq, d}), k = torch::randn({2, 3, tk, d}), v = torch::randn({2, 3, tk, d});
        expect_matches_naive(q, k, v, "d " + std::to_string(d) + " tq " + std::to_string(tq) + " tk " +
                                          std::to_string(tk));
      }
    }
  }
}

// As the GPT calls it: q, k and v are strided views of one (B, T, 3C) projection.
TEST(CpuCausalAttention, ReadsHeadsInPlaceFromAPackedProjection) {
  torch::manual_seed(6);
  const int64_t b = 3, t = 20, heads = 4, d = 8, c = heads * d;
  torch::Tensor qkv = torch::randn({b, t, 3 * c});
  auto parts = qkv.split(c, 2);
  auto split_heads = [&](const torch::Tensor& y) { return y.view({b, t, heads, d}).transpose(1, 2); };
  torch::Tensor q = split_heads(parts[0]), k = split_heads(parts[1]), v = split_heads(parts[2]);
  ASSERT_FALSE(q.is_contiguous());
  expect_matches_naive(q, k, v, "packed");
  // The output merges back into (B, T, C) without a copy.
  torch::Tensor out = cpu_causal_attention(q, k, v);
  EXPECT_TRUE(out.transpose(1, 2).is_contiguous());
}

// The kernel takes queries in tiles; a query's output and its dq come out bit for bit as when
// it is the only query (as cached generation asks for it), in a full tile or in the remainder.
TEST(CpuCausalAttention, AQueryGetsTheSameBitsInATileAsAlone) {
  torch::manual_seed(8);
  // 37 queries after 3 cached keys: tiles then straddle the kernel's 32-key blocks.
  for (int64_t d : {32, 64, 100}) {
    for (auto [tq, tk] : {std::pair<int64_t, int64_t>{11, 11}, {37, 40}}) {
      torch::Tensor q = torch::randn({2, 3, tq, d}), k = torch::randn({2, 3, tk, d}), v = torch::randn({2, 3, tk, d});
      torch::Tensor upstream = torch::randn({2, 3, tq, d});
      expect_matches_naive(q, k, v, "tiles, d " + std::to_string(d) + " tq " + std::to_string(tq));
      AttentionResult all = run_attention(cpu_causal_attention, q, k, v, upstream);
      for (int64_t i = 0; i < tq; ++i) {
        const std::string what = "d " + std::to_string(d) + " tk " + std::to_string(tk) + " query " + std::to_string(i);
        const int64_t seen = tk - tq + i + 1;
        AttentionResult one = run_attention(cpu_causal_attention, q.narrow(2, i, 1), k.narrow(2, 0, seen),
                                            v.narrow(2, 0, seen), upstream.narrow(2, i, 1));
        EXPECT_TRUE(torch::equal(one.out, all.out.narrow(2, i, 1))) << what;
        EXPECT_TRUE(torch::equal(one.dq, all.dq.narrow(2, i, 1))) << what;
      }
    }
  }
}

// Scores far beyond exp's range: the row maximum is subtracted first, so nothing overflows.
TEST(CpuCausalAttention, LargeScoresStayFinite) {
  torch::manual_seed(7);
  torch::Tensor q = torch::randn({1, 2, 9, 16}) * 30, k = torch::randn({1, 2, 9, 16}) * 30, v = torch::randn({1, 2, 9, 16});
  expect_matches_naive(q, k, v, "large");
  EXPECT_TRUE(torch::isfinite(cpu_causal_attention(q, k, v)).all().item<bool>());
}

TEST(CpuCausalAttention, TakesOnlyFloatCpuTensorsWithContiguousHeads) {
  torch::Tensor x = torch::randn({1, 2, 4, 8});
  EXPECT_TRUE(cpu_causal_attention_applies(x, x, x));
  torch::Tensor doubles = x.to(torch::kDouble);
  EXPECT_FALSE(cpu_causal_attention_applies(doubles, doubles, doubles));
  torch::Tensor strided_heads = torch::randn({1, 2, 8, 4}).transpose(2, 3);
  EXPECT_FALSE(cpu_causal_attention_applies(strided_heads, strided_heads, strided_heads));
  EXPECT_FALSE(cpu_causal_attention_applies(torch::randn({1, 2, 5, 8}), x, x));  // more queries than keys
  torch::Tensor wide = torch::randn({1, 2, 4, 129});
  EXPECT_FALSE(cpu_causal_attention_applies(wide, wide, wide));
  EXPECT_THROW(cpu_causal_attention(doubles, doubles, doubles), c10::Error);
  // sdpa still answers for what the kernel does not take (the naive path, on LibTorch 1.13).
  EXPECT_TRUE(torch::allclose(sdpa_attention(doubles, doubles, doubles), naive_attention(doubles, doubles, doubles),
                              1e-6, 1e-9));
}
