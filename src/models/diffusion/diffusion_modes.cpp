// The diffusion model's sample modes: inpaint (completion of masked test images).
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
  Completion completion;
  completion.x0 = x.images.to(device);
  completion.known = known_pixels(mask.region, config_.image_size, config_.image_size).to(device);
  completion.resample = r.resample;
  torch::Tensor labels;
  if (config_.conditional) {
    if (r.klass >= num_classes_) throw UserError("--class " + std::to_string(r.klass) + ": out of range");
    // The test images' own labels, or --class for all of them.
    labels = r.klass >= 0 ? torch::full({x.images.size(0)}, r.klass, torch::kLong).to(device) : x.labels.to(device);
  } else if (r.klass >= 0) {
    throw UserError("--class " + std::to_string(r.klass) + ": this model is not conditional");
  }
  auto sampler = make_request_sampler(r.sampling);
  torch::Tensor x_T = torch::randn(completion.x0.sizes(), r.sampling.generator).to(device);
  torch::Tensor completed = run_sampler(net, *sampler, x_T, labels, guidance_for(r.sampling), r.sampling.generator,
                                        r.sampling.progress, &completion);
  // Shown with the hidden part at 0, mid-grey in the [-1, 1] range.
  torch::Tensor masked = completion.x0 * completion.known;
  ModeResult result;
  result.nrow = r.nrow;
  result.images = interleave_rows({masked, completed, completion.x0}, r.nrow, -1.0);
  // PSNR over the hidden pixels only: the visible ones are copies and would flatter it.
  torch::Tensor hidden = (1 - completion.known).expand_as(completed);
  torch::Tensor error = (to_unit_range(completed, "tanh") - to_unit_range(completion.x0, "tanh")).square() * hidden;
  torch::Tensor mse = error.flatten(1).sum(1) / hidden.flatten(1).sum(1);
  result.report = {{"psnr_hidden_db", (-10 * torch::log10(mse.clamp_min(1e-10))).mean().item<double>()}};
  return result;
}

}  // namespace gencli::diffusion
