#pragma once
// Hugging Face's GPT-2 layout, both ways: a folder with config.json, model.safetensors,
// vocab.json and merges.txt (what `save_pretrained` writes and what a `gpt2` download holds)
// read as a GPT of arch "gpt2" with the gpt2-bpe tokenizer, and a gencli GPT written as one.
// Hugging Face keeps GPT-2's linear layers as Conv1D, weights [in, out]: they are transposed
// on the way in and out. The attention mask buffers of older files are ignored, and the head
// is the token embedding (tied) on both sides.
#include <string>

#include <nlohmann/json.hpp>

#include "io/safetensors.h"

namespace gencli::gpt {

struct GptConfig;

// Whether `path` is a folder holding a config.json (then it is read as a Hugging Face model).
bool is_hugging_face_folder(const std::string& path);

// The GPT family's `model` section for the folder: its config.json's shape, arch gpt2, and the
// gpt2-bpe tokenizer from its vocab.json and merges.txt. DataError naming the file and key
// when the folder is not a GPT-2 gencli can run (another model_type, activation or epsilon).
nlohmann::json hugging_face_model_section(const std::string& dir);

// The file of the folder's weights (model.safetensors), whose SHA-256 identifies the model.
std::string hugging_face_weights_file(const std::string& dir);

// The folder's weights under gencli's names ("network.blocks.0.attn.c_attn.weight"), ready for
// load_state_tensors. DataError naming the file and the tensor.
SafetensorsFile read_hugging_face_weights(const std::string& dir);

// Hugging Face's names and layouts for gencli's GPT weights (`network.*`), the reverse of
// read_hugging_face_weights, and the config.json describing them.
std::vector<std::pair<std::string, torch::Tensor>> hugging_face_tensors(
    const std::vector<std::pair<std::string, torch::Tensor>>& gencli_tensors);
nlohmann::json hugging_face_config(const GptConfig& config, int64_t vocab_size);

}  // namespace gencli::gpt
