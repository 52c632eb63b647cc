#pragma once
// What a family is, declared once by its model's constructor: what it produces, which sampling
// settings it reads, what it needs. The training loop, the sample writer and the commands' option
// checks read this instead of asking the model one question at a time.
#include <cstdint>
#include <string>
#include <vector>

namespace gencli {

// What sample() (or sample_text()) gives back, and so what `gencli sample` writes.
enum class Output {
  images,  // (N, C, H, W) in the data range: a PNG grid
  points,  // images of 2-D data (data.type toy2d), (N, 2, 1, 1): a scatter plot
  audio,   // waveforms (N, 1, 1, L) in [-1, 1] at audio_sample_rate: a WAV file
  text,    // sample_text() streams text
  nothing  // no generation (regression, classification)
};

// A way of sampling beyond drawing from the prior: reconstructions, interpolations, ...
struct SampleMode {
  std::string name;         // the --mode value
  std::string description;  // one line for --help and errors
  bool needs_data = false;  // works on images of the test split
};

// The SampleRequest settings a family reads; the commands refuse the others.
struct SamplingSettings {
  bool iterative_sampler = false;  // sampler, eta, guidance, resample (diffusion)
  bool temperature = false;        // logits divided by a temperature (autoregressive families)
  bool cache = false;              // a generation cache that can be turned off (WaveNet, GPT, gated PixelCNN)
  bool latents = false;            // decodes given latent vectors instead of drawing them (GAN, VAE)
  bool prompts = false;            // draws images for text prompts, with negative prompts (text-to-image)
};

struct Capabilities {
  Output output = Output::images;
  int64_t audio_sample_rate = 0;          // Output::audio: samples per second
  int64_t classes = 0;                    // > 0: conditional; sample() takes labels in [0, classes)
  SamplingSettings reads;                 // which sampling settings sample() reads
  std::string sampling_step = "step";     // what one SampleRequest::progress call counts ("pixel")
  std::vector<SampleMode> modes;          // sample modes beyond "prior" (sample_mode() runs them)
  bool needs_data = true;                 // trains on a data set (data.type must not be "none")
  bool validation_loss = false;           // validate() gives a held-out loss (train.eval_every, best.pt)
  bool adapters_only = false;             // checkpoints hold only adapters; the base is init.from
  bool parallel_ops = false;              // LibTorch's thread pool should get every core (see ThreadPlan)
  // The cached generation is many operators on a pixel's few hundred numbers, for which waking
  // LibTorch's pool costs more than it gives (gated PixelCNN: 53 against 27 images/s on 2 cores).
  bool serial_cached_sampling = false;

  // Whether sampling, with or without the generation cache, gives LibTorch's pool every core.
  bool parallel_sampling(bool use_cache) const { return parallel_ops && !(use_cache && serial_cached_sampling); }

  bool conditional() const { return classes > 0; }
  bool generates_images() const { return output == Output::images || output == Output::points; }
};


}  // namespace gencli
