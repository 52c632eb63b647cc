// The diffusion model's sample modes: inpaint (completion of masked test images), in pixel or
// latent space.
#include <optional>

#include "core/errors.h"
#include "io/image_grid.h"
#include "models/corruption.h"
#include "models/diffusion/diffusion_model.h"
#include "models/sampling.h"

namespace gencli::diffusion {

ModeResult DiffusionModel::sample_mode(const ModeRequest& r) {
  if (r.mode != "inpaint") throw UserError("--mode " + r.mode + ": unknown for diffusion (known: prior, inpaint)");
  if (config_.arch != "unet") throw UserError("--mode inpaint: needs an image model (model.arch \"unet\")");
  const std::string spec = r.corrupt.empty() ? "mask:bottom" : r.corrupt;
  if (spec.rfind("mask:", 0) != 0)
    throw UserError("--corrupt " + spec + ": --mode inpaint completes a masked region; give it with --mask (" +
                    mask_regions() + ")");
  const Corruption mask = parse_corruption(spec, "--mask");
  Denoiser net = sampling_network(r.sampling.use_ema);
  const torch::Device device = net->parameters().front().device();
  Batch x = pick_examples(r.test_split, r.sampling.num, r.sampling.generator);
  const torch::Tensor images = x.images.to(device);
  const torch::Tensor known = known_pixels(mask.region, config_.image_size, config_.image_size).to(device);
  // In latent space the region is the same fraction of the latent grid (each latent cell
  // stands for a f x f patch), and known latents are blended in at every step (RePaint).
  const std::vector<int64_t> shape = diffusion_shape();
  Completion completion;
  completion.x0 = to_diffusion_space(images);
  completion.known = latent() ? known_pixels(mask.region, shape[1], shape[2]).to(device) : known;
  completion.resample = r.resample;
  torch::Tensor labels;
  if (config_.conditional) {
    if (r.klass >= num_classes_) throw UserError("--class " + std::to_string(r.klass) + ": out of range");
    // The test images' own labels, or --class for all of them.
    labels = r.klass >= 0 ? torch::full({x.images.size(0)}, r.klass, torch::kLong).to(device) : x.labels.to(device);
  } else if (r.klass >= 0) {
    throw UserError("--class " + std::to_string(r.klass) + ": this model is not conditional");
  }
  // Text-guided editing: the hidden part is drawn for --prompt, or for each test image's own
  // caption when none is given (the model's reconstruction of what the caption says).
  std::optional<PromptGuidance> text;
  if (config_.text_conditional) {
    if (r.sampling.prompts.empty() && x.captions.empty())
      throw UserError("--mode inpaint: this model is text-conditional and the test images have no captions; give --prompt");
    text = prompt_guidance(r.sampling.prompts.empty() ? x.captions : r.sampling.prompts, r.sampling.negative_prompt,
                           x.images.size(0), device);
  }
  const double guidance = guidance_for(r.sampling);
  auto sampler = make_request_sampler(r.sampling);
  torch::Tensor x_T = torch::randn(completion.x0.sizes(), r.sampling.generator).to(device);
  torch::Tensor completed = to_images(run_sampler(net, *sampler, x_T, labels, guidance, r.sampling.generator,
                                                  r.sampling.progress, &completion, text ? &*text : nullptr));
  // The decoder only approximates the known pixels: keep the real ones, as in pixel space.
  if (latent()) completed = known * images + (1 - known) * completed;
  // Shown with the hidden part at 0, mid-grey in the [-1, 1] range.
  torch::Tensor masked = images * known;
  ModeResult result;
  result.nrow = r.nrow;
  result.images = interleave_rows({masked, completed, images}, r.nrow, -1.0);
  // PSNR over the hidden pixels only: the visible ones are copies and would flatter it.
  torch::Tensor hidden = (1 - known).expand_as(completed);
  torch::Tensor error = (to_unit_range(completed, "tanh") - to_unit_range(images, "tanh")).square() * hidden;
  torch::Tensor mse = error.flatten(1).sum(1) / hidden.flatten(1).sum(1);
  result.report = {{"psnr_hidden_db", (-10 * torch::log10(mse.clamp_min(1e-10))).mean().item<double>()}};
  return result;
}

}  // namespace gencli::diffusion
