#include "models/gpt/gpt_family.h"

#include "data/text_corpus.h"
#include "io/checkpoint.h"
#include "models/family_definition.h"
#include "models/gpt/gpt_model.h"

namespace gencli::models {

namespace {

using gpt::GptConfig;

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

}  // namespace

Family gpt_family() {
  FamilyDefinition<GptConfig> d;
  d.type = "gpt";
  d.description = "text: a small GPT (pre-LN Transformer), KV-cached generation, naive/chunked/sdpa attention, LoRA";
  d.check_config = [](const GptConfig& c, const Config& config) {
    if (c.lora_rank > 0 && config.init.from.empty())
      throw ConfigError("model.lora_rank: adapters need a base model; set init.from to a GPT checkpoint");
  };
  d.build = [](const GptConfig& c, const Config&) { return std::make_shared<gpt::GptModel>(c); };
  d.complete_config = complete;
  return define_family(d);
}

}  // namespace gencli::models
