#include "models/gpt/gpt_family.h"

#include <chrono>
#include <filesystem>
#include <spdlog/spdlog.h>

#include "data/bpe_training.h"
#include "data/text_corpus.h"
#include "io/atomic_file.h"
#include "io/checkpoint.h"
#include "models/family_definition.h"
#include "models/gpt/gpt_model.h"
#include "models/gpt/hugging_face.h"

namespace gencli::models {

namespace {

using gpt::GptConfig;

// The keys that fix the shape of the weights: a run on top of init.from takes them from there.
// (A key an older checkpoint lacks takes its default, as it did when that checkpoint was made.)
const char* const kArchitectureKeys[] = {"arch",     "tokenizer", "vocabulary", "tokenizer_dir", "bpe_vocab_size",
                                         "bpe_vocab", "bpe_merges", "n_layer",   "n_head",      "n_embd",
                                         "block_size", "bias"};

void complete(Config& config) {
  if (!config.init.from.empty()) {
    const nlohmann::json base = gpt::is_hugging_face_folder(config.init.from)
                                    ? gpt::hugging_face_model_section(config.init.from)
                                    : open_checkpoint(config.init.from).header.config.at("model");
    if (base.value("type", "") != "gpt")
      throw ConfigError("init.from: " + config.init.from + " is not a GPT checkpoint");
    if (base.value("lora_rank", 0) > 0)
      throw ConfigError("init.from: " + config.init.from + " holds only LoRA adapters; merge them into a full "
                        "checkpoint first (gencli export --merge-lora) and start from that");
    for (const char* key : kArchitectureKeys) {
      if (base.contains(key))
        config.model[key] = base.at(key);
      else
        config.model.erase(key);
    }
    return;
  }
  if (config.model.value("tokenizer", "char") == "bpe" && config.model.value("bpe_vocab", "").empty()) {
    if (config.data.type != "text")
      throw ConfigError("data.type: the GPT reads text, so data.type must be \"text\", got \"" + config.data.type + "\"");
    const auto started = std::chrono::steady_clock::now();
    const BpeFiles bpe =
        train_byte_bpe(read_text_file(config.data.path), config.model.value("bpe_vocab_size", int64_t{2000}), config.data.path);
    config.model["bpe_vocab"] = bpe.vocab_json;
    config.model["bpe_merges"] = bpe.merges;
    spdlog::info("tokenizer: a byte-level BPE of {} merges trained on {} in {:.1f} s", bpe.merges_learned,
                 config.data.path, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  if (config.model.value("tokenizer", "char") == "gpt2-bpe" && config.model.value("bpe_vocab", "").empty()) {
    const std::string dir = config.model.value("tokenizer_dir", "");
    if (dir.empty())
      throw ConfigError("model.tokenizer_dir: gpt2-bpe reads vocab.json and merges.txt from a folder; name it");
    for (const char* file : {"vocab.json", "merges.txt"})
      if (!std::filesystem::is_regular_file(std::filesystem::path(dir) / file))
        throw ConfigError("model.tokenizer_dir: " + dir + " holds no " + file);
    config.model["bpe_vocab"] = read_file_bytes((std::filesystem::path(dir) / "vocab.json").string());
    config.model["bpe_merges"] = read_file_bytes((std::filesystem::path(dir) / "merges.txt").string());
  }
  if (config.model.value("tokenizer", "char") == "char" && config.model.value("vocabulary", "").empty()) {
    if (config.data.type != "text")
      throw ConfigError("data.type: the GPT reads text, so data.type must be \"text\", got \"" + config.data.type + "\"");
    config.model["vocabulary"] = vocabulary_of(read_text_file(config.data.path), config.data.path);
  }
}

}  // namespace

Family gpt_family() {
  FamilyDefinition<GptConfig> d;
  d.type = "gpt";
  d.description = "text: a small GPT (pre-LN Transformer), KV-cached generation, naive/chunked/sdpa attention, LoRA";
  d.check_config = [](const GptConfig& c, const Config& config) {
    if (c.arch == "gpt2" && !c.bias)
      throw ConfigError("model.bias: GPT-2 (model.arch \"gpt2\") has biases in every linear layer and LayerNorm; set it true");
    if (c.lora_rank > 0 && config.init.from.empty())
      throw ConfigError("model.lora_rank: adapters need a base model; set init.from to a GPT checkpoint");
  };
  d.build = [](const GptConfig& c, const Config&) { return std::make_shared<gpt::GptModel>(c); };
  d.complete_config = complete;
  return define_family(d);
}

}  // namespace gencli::models
