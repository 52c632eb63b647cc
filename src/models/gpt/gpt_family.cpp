#include "models/gpt/gpt_family.h"

#include <spdlog/spdlog.h>

#include "core/config.h"
#include "core/errors.h"
#include "data/text_corpus.h"
#include "io/checkpoint.h"
#include "models/gpt/gpt_model.h"

namespace gencli::models {

namespace {

using gpt::GptConfig;

nlohmann::json resolve(const nlohmann::json& model) {
  return config::write_section(config::read_section<GptConfig>(model, "model"));
}

// The keys that fix the shape of the weights: a run on top of init.from takes them from there.
const char* const kArchitectureKeys[] = {"tokenizer", "vocabulary", "n_layer", "n_head", "n_embd", "block_size", "bias"};

void complete(Config& config) {
  if (!config.init.from.empty()) {
    const nlohmann::json base = open_checkpoint(config.init.from).header.config.at("model");
    if (base.value("type", "") != "gpt")
      throw ConfigError("init.from: " + config.init.from + " is not a GPT checkpoint");
    if (base.value("lora_rank", 0) > 0)
      throw ConfigError("init.from: " + config.init.from + " holds only LoRA adapters; merge them into a full "
                        "checkpoint first (gencli export --merge-lora) and start from that");
    for (const char* key : kArchitectureKeys) config.model[key] = base.at(key);
    return;
  }
  if (config.model.value("tokenizer", "char") == "char" && config.model.value("vocabulary", "").empty()) {
    if (config.data.type != "text")
      throw ConfigError("data.type: the GPT reads text, so data.type must be \"text\", got \"" + config.data.type + "\"");
    config.model["vocabulary"] = vocabulary_of(read_text_file(config.data.path), config.data.path);
  }
}

std::shared_ptr<Model> create(const Config& config) {
  auto c = config::read_section<GptConfig>(config.model, "model");
  if (c.lora_rank > 0 && config.init.from.empty())
    throw ConfigError("model.lora_rank: adapters need a base model; set init.from to a GPT checkpoint");
  return std::make_shared<gpt::GptModel>(c);
}

}  // namespace

Family gpt_family() {
  return {"gpt", "text: a small GPT (pre-LN Transformer), KV-cached generation, naive/chunked/sdpa attention, LoRA",
          resolve, create, complete};
}

}  // namespace gencli::models
