#pragma once
// The GPT family's `model` section. Defaults follow nanoGPT's character-level CPU recipe:
// 4 layers, 4 heads, 128 wide, a context of 64 tokens, no biases, no dropout.
#include <string>

#include "core/config_fields.h"

namespace gencli::gpt {

struct GptConfig {
  std::string type = "gpt";
  std::string arch = "gencli";       // "gencli" (exact GELU) or "gpt2" (Hugging Face's GPT-2: tanh GELU, biases)
  std::string tokenizer = "char";    // "char" (the training text's characters), "byte" (256 UTF-8 bytes),
                                     // "gpt2-bpe" (byte-level BPE from vocab.json and merges.txt) or "bpe"
                                     // (a byte-level BPE gencli trains on data.path when training starts)
  int64_t bpe_vocab_size = 2000;     // bpe: tokens of the trained vocabulary (256 bytes and <|endoftext|> included)
  std::string tokenizer_dir;         // gpt2-bpe: the folder holding vocab.json and merges.txt (a GPT-2 download)
  std::string bpe_vocab;             // gpt2-bpe, bpe: vocab.json's text, read from tokenizer_dir or trained when
  std::string bpe_merges;            // training starts; merges.txt's likewise (every checkpoint carries both)
  std::string vocabulary;            // char: filled from data.path at the start of training (sorted characters)
  std::string unknown_chars = "error";  // char: a character outside the vocabulary is an "error", or "skip"ped,
                                        // or "replace"d by unknown_replacement (counted in the log)
  std::string unknown_replacement = " ";
  int64_t n_layer = 4;
  int64_t n_head = 4;
  int64_t n_embd = 128;              // must be divisible by n_head
  int64_t block_size = 64;           // context length in tokens
  double dropout = 0.0;              // on embeddings, attention output and MLP output
  bool bias = false;                 // biases in the linear layers and LayerNorms
  std::string attention = "naive";   // "naive", "chunked" (blockwise running softmax) or "sdpa" (LibTorch's fused kernel)
  int64_t attention_chunk = 128;     // chunked: queries and keys per block
  int64_t lora_rank = 0;             // > 0: train rank-r adapters on a frozen base (init.from)
  double lora_alpha = 16.0;          // adapter scale alpha / rank
  double lora_dropout = 0.0;         // dropout on the adapters' input
  std::string lora_targets = "attention";  // "attention" (qkv and output projections), "mlp", or "attention,mlp"

  template <class V>
  void visit(V& v) {
    using namespace config;
    v.field("type", type);
    v.field("arch", arch, one_of({"gencli", "gpt2"}));
    v.field("tokenizer", tokenizer, one_of({"char", "byte", "gpt2-bpe", "bpe"}));
    v.field("bpe_vocab_size", bpe_vocab_size, int_range(257, 1000000));
    v.field("tokenizer_dir", tokenizer_dir);
    v.field("bpe_vocab", bpe_vocab);
    v.field("bpe_merges", bpe_merges);
    v.field("vocabulary", vocabulary);
    v.field("unknown_chars", unknown_chars, one_of({"error", "skip", "replace"}));
    v.field("unknown_replacement", unknown_replacement);
    v.field("n_layer", n_layer, at_least(1));
    v.field("n_head", n_head, at_least(1));
    v.field("n_embd", n_embd, at_least(1));
    v.field("block_size", block_size, at_least(2));
    v.field("dropout", dropout, open_unit());
    v.field("bias", bias);
    v.field("attention", attention, one_of({"naive", "chunked", "sdpa"}));
    v.field("attention_chunk", attention_chunk, at_least(1));
    v.field("lora_rank", lora_rank, at_least(0));
    v.field("lora_alpha", lora_alpha, positive());
    v.field("lora_dropout", lora_dropout, open_unit());
    v.field("lora_targets", lora_targets, one_of({"attention", "mlp", "attention,mlp"}));
  }

  bool lora_on(const std::string& group) const {
    return lora_rank > 0 && lora_targets.find(group) != std::string::npos;
  }
};

}  // namespace gencli::gpt
