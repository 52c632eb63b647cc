#pragma once
// The diffusion family's `model` section: a denoising network (a small U-Net for images, an
// MLP for 2-D toy data) in pixel or latent space, its noise schedule, what it predicts, and the
// sampling defaults.
#include <string>
#include <vector>

#include "core/config_fields.h"

namespace gencli::diffusion {

struct DiffusionConfig {
  std::string type = "diffusion";
  std::string arch = "unet";                    // "unet" (images) or "mlp" (2-D toy data)
  int64_t image_channels = 1;
  int64_t image_size = 28;                      // square; a multiple of 2^(levels - 1)
  int64_t base_channels = 32;                   // U-Net: channels at full resolution
  std::vector<int64_t> channel_mult = {1, 2, 2};  // U-Net: channel multiplier per resolution level
  int64_t res_blocks = 1;                       // U-Net: residual blocks per level
  bool attention = true;                        // U-Net: self-attention at the lowest resolution
  int64_t groups = 8;                           // U-Net: GroupNorm groups (must divide every width)
  double dropout = 0.0;                         // U-Net: dropout inside residual blocks
  std::vector<int64_t> mlp_hidden = {256, 256, 256};  // mlp: hidden widths
  int64_t timesteps = 1000;                     // T, the number of noising steps
  std::string schedule = "linear";              // "linear" (Ho et al.) or "cosine" (Nichol & Dhariwal)
  double beta_start = 1e-4;                     // linear schedule: beta_1
  double beta_end = 0.02;                       // linear schedule: beta_T
  std::string prediction = "epsilon";           // what the network predicts: "epsilon" (noise) or "v"
  std::string loss_weighting = "uniform";       // "uniform" (Ho et al.) or "min_snr" (Hang et al. 2023)
  double min_snr_gamma = 5.0;                   // min_snr: the cap on a timestep's signal-to-noise weight
  bool clip_denoised = true;                    // clamp predicted x0 to the data range while sampling
  bool conditional = false;                     // class embedding, trained with label dropout
  double label_dropout = 0.1;                   // P(label replaced by "no label", or prompt by "")
  double guidance = 1.0;                        // default classifier-free guidance scale (1 = none)
  std::string sampler = "ddpm";                 // default sampler: "ddpm" or "ddim"
  int64_t sample_steps = 0;                     // default steps (0: T for ddpm, 50 for ddim)
  // Text conditioning (Rombach et al. 2022, section 3.3): a Transformer text encoder trained
  // with the U-Net, read by cross-attention in the middle and after the residual blocks of the
  // listed levels (0 = full resolution); captions are dropped to the empty prompt with
  // probability label_dropout, for classifier-free guidance. Needs captioned data.
  bool text_conditional = false;
  int64_t text_width = 64;                      // text encoder: width of the token states
  int64_t text_layers = 2;                      // text encoder: Transformer layers
  int64_t text_heads = 4;                       // text encoder and cross-attention: heads
  int64_t text_max_tokens = 128;                // the start token and at most this - 1 prompt tokens
  // "bytes": a prompt's UTF-8 bytes; "bpe": a byte-level BPE (the GPT family's) of
  // text_bpe_vocab_size tokens, trained on the training captions when the run starts and kept
  // in text_bpe_vocab and text_bpe_merges (so every checkpoint carries it): words become single
  // tokens, so prompts are shorter and the encoder binds words rather than letters.
  std::string text_tokenizer = "bytes";
  int64_t text_bpe_vocab_size = 320;
  std::string text_bpe_vocab, text_bpe_merges;  // vocab.json and merges.txt, filled by training
  std::vector<int64_t> cross_attention_levels;  // U-Net levels whose blocks attend to the prompt
  // Latent diffusion (Rombach et al. 2022): an autoencoder checkpoint whose frozen encoder maps
  // the images (image_channels x image_size^2) to the latents the U-Net denoises, scaled by its
  // measured latent scale, and whose decoder turns samples back into images. Empty: pixel space.
  std::string latent_autoencoder;

  template <class V>
  void visit(V& v) {
    using namespace config;
    v.field("type", type);
    v.field("arch", arch, one_of({"unet", "mlp"}));
    v.field("image_channels", image_channels, at_least(1));
    v.field("image_size", image_size, at_least(1));
    v.field("base_channels", base_channels, at_least(1));
    v.field("channel_mult", channel_mult, positive_integers());
    v.field("res_blocks", res_blocks, at_least(1));
    v.field("attention", attention);
    v.field("groups", groups, at_least(1));
    v.field("dropout", dropout, in_range(0, 0.9));
    v.field("mlp_hidden", mlp_hidden, positive_integers());
    v.field("timesteps", timesteps, at_least(2));
    v.field("schedule", schedule, one_of({"linear", "cosine"}));
    v.field("beta_start", beta_start, in_range(1e-6, 0.5));
    v.field("beta_end", beta_end, in_range(1e-6, 0.999));
    v.field("prediction", prediction, one_of({"epsilon", "v"}));
    v.field("loss_weighting", loss_weighting, one_of({"uniform", "min_snr"}));
    v.field("min_snr_gamma", min_snr_gamma, in_range(0.01, 1000));
    v.field("clip_denoised", clip_denoised);
    v.field("conditional", conditional);
    v.field("label_dropout", label_dropout, in_range(0, 1));
    v.field("guidance", guidance, in_range(0, 100));
    v.field("sampler", sampler, one_of({"ddpm", "ddim"}));
    v.field("sample_steps", sample_steps, at_least(0));
    v.field("text_conditional", text_conditional);
    v.field("text_width", text_width, at_least(1));
    v.field("text_layers", text_layers, at_least(0));
    v.field("text_heads", text_heads, at_least(1));
    v.field("text_max_tokens", text_max_tokens, int_range(2, 4096));
    v.field("text_tokenizer", text_tokenizer, one_of({"bytes", "bpe"}));
    v.field("text_bpe_vocab_size", text_bpe_vocab_size, int_range(257, 65536));
    v.field("text_bpe_vocab", text_bpe_vocab);
    v.field("text_bpe_merges", text_bpe_merges);
    v.field("cross_attention_levels", cross_attention_levels);
    v.field("latent_autoencoder", latent_autoencoder);
  }
};

}  // namespace gencli::diffusion
