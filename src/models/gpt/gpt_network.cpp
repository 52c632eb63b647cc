#include "models/gpt/gpt_network.h"

#include <cmath>

#include "models/gelu.h"
#include "models/gpt/attention.h"
#include "models/gpt/matvec.h"

namespace gencli::gpt {

namespace {

LoraLinear linear(const GptConfig& c, int64_t in, int64_t out, const std::string& group) {
  const int64_t rank = c.lora_on(group) ? c.lora_rank : 0;
  return LoraLinear(in, out, c.bias, rank, c.lora_alpha, c.lora_dropout);
}

// GPT-2 scales the projections that write into the residual stream by 1/sqrt(2 n_layer), so
// the stream's variance does not grow with depth.
void scale_residual_projection(LoraLinear& layer, int64_t n_layer) {
  torch::NoGradGuard no_grad;
  layer->weight.mul_(1.0 / std::sqrt(2.0 * static_cast<double>(n_layer)));
}

}  // namespace

LayerNormImpl::LayerNormImpl(int64_t n, bool bias) : n_(n) {
  weight = register_parameter("weight", torch::ones({n}));
  if (bias) this->bias = register_parameter("bias", torch::zeros({n}));
}

torch::Tensor LayerNormImpl::forward(const torch::Tensor& x) {
  return torch::layer_norm(x, {n_}, weight, bias, 1e-5);
}

CausalSelfAttentionImpl::CausalSelfAttentionImpl(const GptConfig& c)
    : n_head_(c.n_head), chunk_(c.attention_chunk), mode_(c.attention) {
  c_attn = register_module("c_attn", linear(c, c.n_embd, 3 * c.n_embd, "attention"));
  c_proj = register_module("c_proj", linear(c, c.n_embd, c.n_embd, "attention"));
  scale_residual_projection(c_proj, c.n_layer);
  resid_dropout_ = register_module("resid_dropout", torch::nn::Dropout(c.dropout));
}

torch::Tensor CausalSelfAttentionImpl::forward(const torch::Tensor& x, torch::Tensor* past_k, torch::Tensor* past_v,
                                               int64_t cached, int64_t capacity) {
  const int64_t b = x.size(0), t = x.size(1), c = x.size(2), d = c / n_head_;
  auto qkv = c_attn->forward(x).split(c, 2);
  auto heads = [&](const torch::Tensor& y) { return y.view({b, t, n_head_, d}).transpose(1, 2); };  // (B, H, T, D)
  torch::Tensor q = heads(qkv[0]), k = heads(qkv[1]), v = heads(qkv[2]);
  if (past_k) {
    if (!past_k->defined()) {
      *past_k = torch::empty({b, n_head_, capacity, d}, k.options());
      *past_v = torch::empty({b, n_head_, capacity, d}, v.options());
    }
    past_k->narrow(2, cached, t).copy_(k);
    past_v->narrow(2, cached, t).copy_(v);
    k = past_k->narrow(2, 0, cached + t);
    v = past_v->narrow(2, 0, cached + t);
  }
  torch::Tensor y = causal_attention(mode_, q, k, v, chunk_);
  y = y.transpose(1, 2).contiguous().view({b, t, c});
  return resid_dropout_->forward(c_proj->forward(y));
}

BlockImpl::BlockImpl(const GptConfig& c) : gelu_approximation_(c.arch == "gpt2" ? "tanh" : "none") {
  ln_1 = register_module("ln_1", LayerNorm(c.n_embd, c.bias));
  attn = register_module("attn", CausalSelfAttention(c));
  ln_2 = register_module("ln_2", LayerNorm(c.n_embd, c.bias));
  c_fc = register_module("c_fc", linear(c, c.n_embd, 4 * c.n_embd, "mlp"));
  mlp_proj = register_module("mlp_proj", linear(c, 4 * c.n_embd, c.n_embd, "mlp"));
  scale_residual_projection(mlp_proj, c.n_layer);
  mlp_dropout = register_module("mlp_dropout", torch::nn::Dropout(c.dropout));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, torch::Tensor* past_k, torch::Tensor* past_v, int64_t cached,
                                 int64_t capacity) {
  torch::Tensor h = x + attn->forward(ln_1->forward(x), past_k, past_v, cached, capacity);
  torch::Tensor m = mlp_proj->forward(gencli::gelu(c_fc->forward(ln_2->forward(h)), gelu_approximation_));
  return h + mlp_dropout->forward(m);
}

GptNetworkImpl::GptNetworkImpl(const GptConfig& c, int64_t vocab_size) : block_size_(c.block_size) {
  wte = register_module("wte", torch::nn::Embedding(vocab_size, c.n_embd));
  wpe = register_module("wpe", torch::nn::Embedding(c.block_size, c.n_embd));
  {
    torch::NoGradGuard no_grad;
    wte->weight.normal_(0, 0.02);
    wpe->weight.normal_(0, 0.02);
  }
  drop = register_module("drop", torch::nn::Dropout(c.dropout));
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int64_t l = 0; l < c.n_layer; ++l) blocks->push_back(Block(c));
  ln_f = register_module("ln_f", LayerNorm(c.n_embd, c.bias));
  if (c.lora_rank > 0) {
    // Adapters train alone: embeddings and norms stay as the base left them.
    for (auto& item : named_parameters()) item.value().set_requires_grad(is_adapter_parameter(item.key()));
  }
}

torch::Tensor GptNetworkImpl::forward(const torch::Tensor& tokens, KvCache* cache) {
  const int64_t t = tokens.size(1);
  const int64_t start = cache ? cache->length : 0;
  TORCH_CHECK(start + t <= block_size_, "a sequence of ", start + t, " tokens exceeds block_size ", block_size_);
  torch::Tensor positions = torch::arange(start, start + t, torch::TensorOptions().dtype(torch::kLong).device(tokens.device()));
  torch::Tensor x = drop->forward(wte->forward(tokens) + wpe->forward(positions));
  if (cache && cache->keys.empty()) {
    cache->keys.resize(blocks->size());
    cache->values.resize(blocks->size());
  }
  for (size_t l = 0; l < blocks->size(); ++l)
    x = blocks->at<BlockImpl>(l).forward(x, cache ? &cache->keys[l] : nullptr, cache ? &cache->values[l] : nullptr,
                                         start, block_size_);
  if (cache) cache->length += t;
  // The head is the token embedding transposed (weight tying, Press & Wolf 2017). One position
  // (cached generation) is a matrix-vector product (models/gpt/matvec.h says why).
  torch::Tensor h = ln_f->forward(x);
  if (h.size(0) * h.size(1) == 1 && !torch::GradMode::is_enabled())
    return matvec(wte->weight, h.reshape({-1})).view({1, 1, -1});
  return torch::matmul(h, wte->weight.t());
}

}  // namespace gencli::gpt
