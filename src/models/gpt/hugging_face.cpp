#include "models/gpt/hugging_face.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/errors.h"
#include "io/atomic_file.h"
#include "models/gpt/gpt_config.h"

namespace gencli::gpt {

namespace fs = std::filesystem;

namespace {

const char* const kWeights = "model.safetensors";

nlohmann::json read_json(const fs::path& path) {
  nlohmann::json j = nlohmann::json::parse(read_file_bytes(path.string()), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) throw DataError(path.string() + ": not a JSON object");
  return j;
}

int64_t positive_int(const nlohmann::json& config, const char* key, const fs::path& path) {
  if (!config.contains(key) || !config[key].is_number_integer() || config[key].get<int64_t>() <= 0)
    throw DataError(path.string() + ": " + key + " must be a positive integer");
  return config[key].get<int64_t>();
}

// Whether a block tensor ("attn.c_attn.weight", in Hugging Face's names) is a Conv1D weight.
bool is_conv1d_weight(const std::string& in_block) {
  return in_block == "attn.c_attn.weight" || in_block == "attn.c_proj.weight" || in_block == "mlp.c_fc.weight" ||
         in_block == "mlp.c_proj.weight";
}

// gencli's name for a Hugging Face GPT-2 tensor ("" when gencli has no use for it), and
// whether it is a Conv1D weight ([in, out], transposed on the way).
std::string gencli_name(std::string name, bool* conv1d) {
  *conv1d = false;
  if (name.rfind("transformer.", 0) == 0) name = name.substr(12);  // GPT2LMHeadModel's files
  if (name == "lm_head.weight") return "";                          // tied to wte
  static const std::regex block(R"(h\.(\d+)\.(.+))");
  std::smatch m;
  if (!std::regex_match(name, m, block)) return "network." + name;  // wte, wpe, ln_f
  const std::string rest = m[2];
  if (rest == "attn.bias" || rest == "attn.masked_bias") return "";  // masks, not weights
  std::string mine = rest;
  if (rest.rfind("mlp.c_fc.", 0) == 0) mine = "c_fc." + rest.substr(9);
  if (rest.rfind("mlp.c_proj.", 0) == 0) mine = "mlp_proj." + rest.substr(11);
  *conv1d = is_conv1d_weight(rest);
  return "network.blocks." + std::string(m[1]) + "." + mine;
}

}  // namespace

bool is_hugging_face_folder(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) && fs::is_regular_file(fs::path(path) / "config.json", ec);
}

std::string hugging_face_weights_file(const std::string& dir) { return (fs::path(dir) / kWeights).string(); }

nlohmann::json hugging_face_model_section(const std::string& dir) {
  const fs::path path = fs::path(dir) / "config.json";
  const nlohmann::json c = read_json(path);
  if (c.value("model_type", "") != "gpt2")
    throw DataError(path.string() + ": model_type is \"" + c.value("model_type", "") + "\"; gencli reads GPT-2 (gpt2)");
  const std::string activation = c.value("activation_function", "gelu_new");
  if (activation != "gelu_new" && activation != "gelu_pytorch_tanh")
    throw DataError(path.string() + ": activation_function \"" + activation + "\"; GPT-2 in gencli uses the tanh GELU (gelu_new)");
  if (std::abs(c.value("layer_norm_epsilon", 1e-5) - 1e-5) > 1e-12)
    throw DataError(path.string() + ": layer_norm_epsilon " + c["layer_norm_epsilon"].dump() + "; gencli's GPT-2 uses 1e-05");
  for (const char* file : {"vocab.json", "merges.txt", kWeights})
    if (!fs::is_regular_file(fs::path(dir) / file))
      throw DataError(dir + ": no " + std::string(file) + " (a Hugging Face GPT-2 folder holds config.json, " + kWeights +
                      ", vocab.json and merges.txt)");
  nlohmann::json m;
  m["type"] = "gpt";
  m["arch"] = "gpt2";
  m["bias"] = true;
  m["n_layer"] = positive_int(c, "n_layer", path);
  m["n_head"] = positive_int(c, "n_head", path);
  m["n_embd"] = positive_int(c, "n_embd", path);
  m["block_size"] = positive_int(c, c.contains("n_positions") ? "n_positions" : "n_ctx", path);
  m["dropout"] = 0.0;
  m["tokenizer"] = "gpt2-bpe";
  m["tokenizer_dir"] = dir;
  m["bpe_vocab"] = read_file_bytes((fs::path(dir) / "vocab.json").string());
  m["bpe_merges"] = read_file_bytes((fs::path(dir) / "merges.txt").string());
  return m;
}

SafetensorsFile read_hugging_face_weights(const std::string& dir) {
  const std::string path = hugging_face_weights_file(dir);
  SafetensorsFile hf = read_safetensors(path);
  SafetensorsFile mine;
  for (auto& [name, tensor] : hf.tensors) {
    bool conv1d = false;
    const std::string to = gencli_name(name, &conv1d);
    if (to.empty()) continue;
    if (conv1d && tensor.dim() != 2) throw DataError(path + ": tensor " + name + " should be a matrix [in, out]");
    mine.tensors.emplace_back(to, conv1d ? tensor.t().contiguous() : tensor);
  }
  return mine;
}

std::vector<std::pair<std::string, torch::Tensor>> hugging_face_tensors(
    const std::vector<std::pair<std::string, torch::Tensor>>& gencli_tensors) {
  static const std::regex block(R"(network\.blocks\.(\d+)\.(.+))");
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& [name, tensor] : gencli_tensors) {
    std::smatch m;
    if (!std::regex_match(name, m, block)) {
      out.emplace_back("transformer." + name.substr(std::string("network.").size()), tensor);
      continue;
    }
    std::string rest = m[2];
    if (rest.rfind("c_fc.", 0) == 0) rest = "mlp." + rest;
    if (rest.rfind("mlp_proj.", 0) == 0) rest = "mlp.c_proj." + rest.substr(9);
    const bool conv1d = is_conv1d_weight(rest);
    out.emplace_back("transformer.h." + std::string(m[1]) + "." + rest, conv1d ? tensor.t().contiguous() : tensor);
  }
  return out;
}

nlohmann::json hugging_face_config(const GptConfig& c, int64_t vocab_size) {
  return {{"model_type", "gpt2"},
          {"architectures", {"GPT2LMHeadModel"}},
          {"vocab_size", vocab_size},
          {"n_positions", c.block_size},
          {"n_ctx", c.block_size},
          {"n_embd", c.n_embd},
          {"n_layer", c.n_layer},
          {"n_head", c.n_head},
          {"activation_function", "gelu_new"},
          {"layer_norm_epsilon", 1e-5},
          {"resid_pdrop", c.dropout},
          {"embd_pdrop", c.dropout},
          {"attn_pdrop", 0.0},
          {"tie_word_embeddings", true}};
}

}  // namespace gencli::gpt
