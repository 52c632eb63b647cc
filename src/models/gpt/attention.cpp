#include "models/gpt/attention.h"

#include <spdlog/spdlog.h>

#include "core/torch_compat.h"
#include "models/gpt/causal_attention_kernel.h"
#include "models/gpt/cpu_causal_attention.h"

#include <cmath>
#include <limits>

namespace gencli::gpt {

namespace {

// True where query i (of the last Tq positions) must not see key j: j > Tk - Tq + i.
torch::Tensor future_mask(int64_t tq, int64_t tk, int64_t q_start, int64_t k_start, const torch::Device& device) {
  torch::Tensor qi = torch::arange(q_start, q_start + tq, torch::TensorOptions().dtype(torch::kLong).device(device));
  torch::Tensor kj = torch::arange(k_start, k_start + tk, torch::TensorOptions().dtype(torch::kLong).device(device));
  return kj.unsqueeze(0) > qi.unsqueeze(1);  // (tq, tk)
}

}  // namespace

torch::Tensor naive_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  const int64_t tq = q.size(2), tk = k.size(2);
  torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(q.size(3)));
  scores = scores.masked_fill(future_mask(tq, tk, tk - tq, 0, q.device()), -std::numeric_limits<float>::infinity());
  return torch::matmul(torch::softmax(scores, -1), v);
}

torch::Tensor chunked_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int64_t chunk) {
  const int64_t tq = q.size(2), tk = k.size(2), offset = tk - tq;
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(3)));
  std::vector<torch::Tensor> outputs;
  for (int64_t qs = 0; qs < tq; qs += chunk) {
    const int64_t qn = std::min(chunk, tq - qs);
    torch::Tensor q_block = q.narrow(2, qs, qn) * scale;
    const int64_t last_visible = offset + qs + qn - 1;  // the furthest key any query of the block sees
    torch::Tensor running_max, running_sum, acc;
    // Key 0 is visible to every query and lies in the first key block, so after that block the
    // running max is finite and fully masked rows of later blocks add exp(-inf) = 0.
    for (int64_t ks = 0; ks <= last_visible; ks += chunk) {
      const int64_t kn = std::min(chunk, tk - ks);
      torch::Tensor scores = torch::matmul(q_block, k.narrow(2, ks, kn).transpose(-2, -1));
      if (ks + kn - 1 > offset + qs)  // some key of the block lies in some query's future
        scores = scores.masked_fill(future_mask(qn, kn, offset + qs, ks, q.device()),
                                    -std::numeric_limits<float>::infinity());
      torch::Tensor block_max = std::get<0>(scores.max(-1, /*keepdim=*/true));
      torch::Tensor new_max = running_max.defined() ? torch::maximum(running_max, block_max) : block_max;
      torch::Tensor p = torch::exp(scores - new_max);
      torch::Tensor block_out = torch::matmul(p, v.narrow(2, ks, kn));
      if (!acc.defined()) {
        running_sum = p.sum(-1, true);
        acc = block_out;
      } else {
        torch::Tensor correction = torch::exp(running_max - new_max);  // rescale what came before
        running_sum = running_sum * correction + p.sum(-1, true);
        acc = acc * correction + block_out;
      }
      running_max = new_max;
    }
    outputs.push_back(acc / running_sum);
  }
  return torch::cat(outputs, 2);
}

bool has_fused_attention() { return torch_compat::has_fused_attention(); }

torch::Tensor sdpa_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  // LibTorch before 2.0: gencli's own fused kernel on the CPU.
  if (!has_fused_attention() && cpu_causal_attention_applies(q, k, v)) return cpu_causal_attention(q, k, v);
  const int64_t tq = q.size(2), tk = k.size(2);
  std::optional<torch::Tensor> out;
  if (tq == tk) {
    out = torch_compat::fused_attention(q, k, v, {}, /*is_causal=*/true);
  } else if (tq == 1) {
    out = torch_compat::fused_attention(q, k, v, {}, /*is_causal=*/false);
  } else {
    // The fused kernel's causal mask is aligned top-left; with a cache the queries are the last
    // positions, so pass the mask explicitly (true = may attend).
    out = torch_compat::fused_attention(q, k, v, future_mask(tq, tk, tk - tq, 0, q.device()).logical_not(), false);
  }
  if (out) return *out;
  static bool warned = false;
  if (!warned) {
    spdlog::warn("model.attention sdpa: LibTorch {} has no fused attention, and gencli's kernel takes float32 CPU "
                 "heads up to {} wide, not {} {} heads of {}; running the naive attention instead", TORCH_VERSION,
                 kMaxHeadWidth, q.device().str(), std::string(c10::toString(q.scalar_type())), q.size(3));
    warned = true;
  }
  return naive_attention(q, k, v);
}

torch::Tensor causal_attention(const std::string& mode, const torch::Tensor& q, const torch::Tensor& k,
                               const torch::Tensor& v, int64_t chunk) {
  if (mode == "chunked") return chunked_attention(q, k, v, chunk);
  if (mode == "sdpa") return sdpa_attention(q, k, v);
  return naive_attention(q, k, v);
}

}  // namespace gencli::gpt
