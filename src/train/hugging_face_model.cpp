#include "train/hugging_face_model.h"

#include <filesystem>
#include <spdlog/spdlog.h>

#include "core/errors.h"
#include "data/byte_bpe.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "io/sha256.h"
#include "models/config_loading.h"
#include "models/gpt/gpt_config.h"
#include "models/gpt/hugging_face.h"
#include "models/model_weights.h"
#include "models/registry.h"

namespace gencli {

namespace fs = std::filesystem;

LoadedModel load_hugging_face_model(const std::string& dir, const torch::Device& device) {
  const nlohmann::json j = {{"name", fs::path(dir).filename().string()},
                            {"model", gpt::hugging_face_model_section(dir)},
                            {"data", {{"type", "text"}}}};
  LoadedModel loaded;
  loaded.config = config_from_json(j);
  loaded.header.model_type = loaded.config.model_type();
  loaded.header.config = config_to_json(loaded.config);
  loaded.model = models::create_model(loaded.config);
  const std::string weights = gpt::hugging_face_weights_file(dir);
  load_state_tensors(*loaded.model, gpt::read_hugging_face_weights(dir), weights);
  loaded.model->to(device);
  loaded.sha256 = sha256_file_hex(weights);
  return loaded;
}

void export_hugging_face(const LoadedModel& loaded, const std::string& dir, const SafetensorsExport& options) {
  if (loaded.config.model_type() != "gpt")
    throw UserError("--format hf: Hugging Face's layout is for the GPT family; this is a " +
                    loaded.config.model_type() + " model (use --format safetensors)");
  gpt::GptConfig c;
  const nlohmann::json& m = loaded.header.config.at("model");
  c.arch = m.value("arch", "gencli");
  c.bias = m.value("bias", false);
  c.block_size = m.at("block_size");
  c.n_embd = m.at("n_embd");
  c.n_layer = m.at("n_layer");
  c.n_head = m.at("n_head");
  c.dropout = m.value("dropout", 0.0);
  if (c.arch != "gpt2" || !c.bias)
    throw UserError("--format hf: GPT-2 has biases and the tanh GELU; this GPT has model.arch \"" + c.arch +
                    "\" and model.bias " + (c.bias ? "true" : "false") + " (train with arch gpt2, bias true)");
  const int64_t vocab_size = loaded.model->text_input().tokenizer->size();
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (auto& [name, tensor] : gpt::hugging_face_tensors(model_state_tensors(*loaded.model, options.use_ema)))
    tensors.emplace_back(name, tensor.is_floating_point() ? tensor.to(options.dtype) : tensor);
  fs::create_directories(dir);
  nlohmann::json config = gpt::hugging_face_config(c, vocab_size);
  const std::string tokenizer = m.value("tokenizer", "char");
  if (tokenizer == "gpt2-bpe" || tokenizer == "bpe") {
    write_file_atomically((fs::path(dir) / "vocab.json").string(), m.at("bpe_vocab").get<std::string>());
    write_file_atomically((fs::path(dir) / "merges.txt").string(), m.at("bpe_merges").get<std::string>());
    const ByteBpe bpe(m.at("bpe_vocab").get<std::string>(), m.at("bpe_merges").get<std::string>(), "model.bpe_vocab");
    if (bpe.end_of_text() >= 0) config["bos_token_id"] = config["eos_token_id"] = bpe.end_of_text();
  } else {
    spdlog::warn("--format hf: the model's tokenizer is \"{}\", which Hugging Face has no files for; {} holds the "
                 "weights and config.json, and token ids are gencli's", tokenizer, dir);
  }
  write_safetensors((fs::path(dir) / "model.safetensors").string(), tensors, {{"format", "pt"}});
  write_file_atomically((fs::path(dir) / "config.json").string(), config.dump(2) + "\n");
}

}  // namespace gencli
