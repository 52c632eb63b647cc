#include "models/diffusion/diffusion_family.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "data/bpe_training.h"
#include "data/canvas.h"
#include "data/captioned_folder.h"
#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "models/autoencoder/first_stage.h"
#include "models/diffusion/diffusion_model.h"
#include "models/diffusion/noise_schedule.h"
#include "models/family_definition.h"

namespace gencli::models {

namespace {

using diffusion::DiffusionConfig;

// The U-Net halves what it denoises at every level but the first: `size` must divide evenly.
// `key` is the config key a user would change.
void check_unet_size(const DiffusionConfig& c, int64_t size, const std::string& what, const std::string& key) {
  const int64_t factor = int64_t{1} << (c.channel_mult.size() - 1);
  if (size % factor != 0)
    throw ConfigError(key + ": " + std::to_string(c.channel_mult.size()) + " U-Net levels halve " + what + " " +
                      std::to_string(c.channel_mult.size() - 1) + " times, so it must be a multiple of " +
                      std::to_string(factor) + ", got " + std::to_string(size));
}

void check(const DiffusionConfig& c) {
  if (c.arch == "unet") {
    // In latent diffusion the U-Net's input is the latent, checked once the autoencoder is read.
    if (c.latent_autoencoder.empty()) check_unet_size(c, c.image_size, "the image", "model.image_size");
    for (int64_t m : c.channel_mult)
      if ((c.base_channels * m) % c.groups != 0)
        throw ConfigError("model.groups: " + std::to_string(c.groups) + " does not divide the U-Net width " +
                          std::to_string(c.base_channels * m) + " (base_channels x channel_mult)");
    if (c.base_channels % c.groups != 0)
      throw ConfigError("model.groups: " + std::to_string(c.groups) + " does not divide model.base_channels " +
                        std::to_string(c.base_channels));
  }
  if (!c.conditional && !c.text_conditional && c.guidance != 1.0)
    throw ConfigError("model.guidance: " + std::to_string(c.guidance) + " needs model.conditional or " +
                      "model.text_conditional true (guidance mixes conditional and unconditional predictions)");
  if (c.conditional && c.text_conditional)
    throw ConfigError("model.text_conditional: a model is conditioned on classes (model.conditional) or on text, "
                      "not both");
  if (c.text_conditional) {
    if (c.arch != "unet") throw ConfigError("model.text_conditional: needs model.arch \"unet\"");
    if (c.text_width % c.text_heads != 0)
      throw ConfigError("model.text_heads: " + std::to_string(c.text_heads) + " does not divide model.text_width " +
                        std::to_string(c.text_width));
    for (int64_t m : c.channel_mult)
      if ((c.base_channels * m) % c.text_heads != 0)
        throw ConfigError("model.text_heads: " + std::to_string(c.text_heads) + " does not divide the U-Net width " +
                          std::to_string(c.base_channels * m) + " (cross-attention splits it into heads)");
  }
  for (int64_t level : c.cross_attention_levels) {
    if (level < 0 || level >= static_cast<int64_t>(c.channel_mult.size()))
      throw ConfigError("model.cross_attention_levels: level " + std::to_string(level) + " is not one of the U-Net's " +
                        std::to_string(c.channel_mult.size()) + " (0 = full resolution)");
    if (!c.text_conditional)
      throw ConfigError("model.cross_attention_levels: needs model.text_conditional true");
  }
  if (c.beta_end <= c.beta_start)
    throw ConfigError("model.beta_end: must exceed model.beta_start (" + std::to_string(c.beta_start) + ")");
  if (!c.latent_autoencoder.empty() && c.arch != "unet")
    throw ConfigError("model.latent_autoencoder: latent diffusion needs model.arch \"unet\", got \"" + c.arch + "\"");
}

// The frozen first stage of latent diffusion, checked against the images and the U-Net.
std::shared_ptr<autoencoder::AutoencoderModel> load_latent_autoencoder(const DiffusionConfig& c, const Config& config) {
  if (c.latent_autoencoder.empty()) return nullptr;
  auto first_stage = autoencoder::load_first_stage(c.latent_autoencoder, "model.latent_autoencoder");
  const autoencoder::AutoencoderConfig& a = first_stage->config();
  const std::string source = "the autoencoder " + c.latent_autoencoder;
  if (a.image_channels != c.image_channels || a.image_size != c.image_size)
    throw ConfigError("model.image_size: " + std::to_string(c.image_channels) + "x" + std::to_string(c.image_size) +
                      "x" + std::to_string(c.image_size) + " images, but " + source + " encodes " +
                      std::to_string(a.image_channels) + "x" + std::to_string(a.image_size) + "x" +
                      std::to_string(a.image_size));
  if (first_stage->data_range() != config.data.range)
    throw ConfigError("data.range: \"" + config.data.range + "\", but " + source + " was trained on \"" +
                      first_stage->data_range() + "\" images");
  check_unet_size(c, a.latent_size(), "the latent side of " + source, "model.channel_mult");
  return first_stage;
}

void advise(const DiffusionConfig& c, const Config& config) {
  // Sampling starts from N(0, I), so the last step must leave almost no signal (Ho et al. 2020,
  // section 4: L_T ~ 0). With fewer steps the betas must grow, e.g. by 1000 / T.
  const diffusion::NoiseSchedule schedule = c.schedule == "cosine"
                                                ? diffusion::NoiseSchedule::cosine(c.timesteps)
                                                : diffusion::NoiseSchedule::linear(c.timesteps, c.beta_start, c.beta_end);
  const double last = schedule.alpha_bar(c.timesteps - 1);
  if (last > 0.01)
    spdlog::warn("model.timesteps {} with betas {:g}..{:g} leaves alpha_bar_T = {:.3f}: x_T still holds the image, "
                 "yet sampling starts from pure noise; raise model.beta_end (e.g. scale both betas by 1000 / T)",
                 c.timesteps, c.beta_start, c.beta_end, last);
  if (config.train.ema_decay == 0)
    spdlog::warn("train.ema_decay is 0: diffusion samples are usually much better from an EMA of the weights "
                 "(e.g. 0.999)");
}

// The keys that say what a prompt's token ids mean: a run on top of init.from keeps its base's.
const char* const kTokenizerKeys[] = {"text_tokenizer", "text_bpe_vocab_size", "text_bpe_vocab", "text_bpe_merges"};

// model.text_tokenizer "bpe": the BPE is trained once, when a run starts, on the captions
// training can show (a canvas grammar's prompts, held-out ones left out, or a captioned folder's
// training captions), and kept in the config, so every checkpoint carries its tokenizer. A run
// on top of init.from reads prompts with its base's tokenizer, or its token embedding would
// mean other tokens.
void complete(Config& config) {
  nlohmann::json& m = config.model;
  if (!m.value("text_conditional", false)) return;
  if (!config.init.from.empty()) {
    if (is_safetensors_path(config.init.from)) {
      if (m.value("text_tokenizer", "bytes") == "bpe")
        throw ConfigError("init.from: " + config.init.from + ": a text-to-image model with model.text_tokenizer "
                          "\"bpe\" starts from a gencli checkpoint (.pt), whose config carries the tokenizer");
      return;
    }
    const nlohmann::json base = open_checkpoint(config.init.from).header.config.at("model");
    if (base.value("type", "") != "diffusion") return;  // load_init_weights refuses it, naming both types
    for (const char* key : kTokenizerKeys) {
      if (base.contains(key))
        m[key] = base.at(key);
      else
        m.erase(key);
    }
    return;
  }
  if (m.value("text_tokenizer", "bytes") != "bpe" || !m.value("text_bpe_vocab", "").empty()) return;
  const auto started = std::chrono::steady_clock::now();
  std::string text, source;
  if (config.data.type == "canvas") {
    const canvas::SceneGrammar grammar = canvas_grammar(config.data);
    for (const std::string& prompt : grammar.prompts())
      if (!grammar.parse(prompt).held_out) text += prompt + "\n";
    source = "the canvas grammar's training prompts";
  } else if (config.data.type == "captioned_folder") {
    for (const std::string& caption : load_captioned_folder(config.data, Split::Train).captions) text += caption + "\n";
    source = "the captions in " + config.data.root;
  } else {
    return;  // check_config refuses data without captions, naming data.type
  }
  const BpeFiles bpe = train_byte_bpe(text, m.value("text_bpe_vocab_size", int64_t{320}), source);
  config.model["text_bpe_vocab"] = bpe.vocab_json;
  config.model["text_bpe_merges"] = bpe.merges;
  spdlog::info("text tokenizer: a byte-level BPE of {} merges trained on {} in {:.1f} s", bpe.merges_learned, source,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace

Family diffusion_family() {
  FamilyDefinition<DiffusionConfig> d;
  d.type = "diffusion";
  d.description = "denoising diffusion: U-Net or MLP, pixel or latent space, linear/cosine schedule, epsilon/v, DDPM/DDIM, guidance, inpainting";
  d.data.range = "tanh";
  d.data.range_why = "diffusion models data in [-1, 1]";
  d.check = check;
  d.check_config = [](const DiffusionConfig& c, const Config& config) {
    if (c.text_conditional && config.data.type != "canvas" && config.data.type != "captioned_folder")
      throw ConfigError("model.text_conditional: trains on captioned images, and data.type \"" + config.data.type +
                        "\" has no captions (use \"canvas\" or \"captioned_folder\")");
  };
  d.build = [](const DiffusionConfig& c, const Config& config) {
    return std::make_shared<diffusion::DiffusionModel>(c, config.data.num_classes, load_latent_autoencoder(c, config));
  };
  d.advise = advise;
  d.complete_config = complete;
  return define_family(d);
}

}  // namespace gencli::models
