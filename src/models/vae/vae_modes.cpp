// The VAE's sample modes: reconstruct, interpolate, restore and manifold.
#include <cmath>

#include "core/errors.h"
#include "models/corruption.h"
#include "models/sampling.h"
#include "models/vae/vae_model.h"

namespace gencli::vae {

namespace {

// Rounds of encode/decode that fill a masked region; the image changes little after ~20.
constexpr int kImputationRounds = 30;
// Points per interpolation row and per manifold axis when --steps is not given.
constexpr int64_t kDefaultSteps = 10;

torch::Tensor labels_of(const Batch& b, bool conditional) { return conditional ? b.labels : torch::Tensor(); }

}  // namespace

torch::Tensor VaeModel::reconstruct(const torch::Tensor& x, const torch::Tensor& labels) {
  return mean_image(decode(encode(x, labels).mu, labels));
}

torch::Tensor VaeModel::interpolate(const Batch& a, const Batch& b, int64_t steps) {
  const int64_t pairs = a.images.size(0);
  torch::Tensor mu_a = encode(a.images, labels_of(a, config_.conditional)).mu;
  torch::Tensor mu_b = encode(b.images, labels_of(b, config_.conditional)).mu;
  torch::Tensor t = torch::linspace(0, 1, steps, mu_a.options()).view({1, steps, 1});  // (1, S, 1)
  torch::Tensor z = (mu_a.unsqueeze(1) * (1 - t) + mu_b.unsqueeze(1) * t).reshape({pairs * steps, -1});
  torch::Tensor label_mix;
  if (config_.conditional) {
    torch::Tensor ha = one_hot(a.labels).unsqueeze(1), hb = one_hot(b.labels).unsqueeze(1);
    label_mix = (ha * (1 - t) + hb * t).reshape({pairs * steps, -1});
  }
  return mean_image(decode_one_hot(z, label_mix));
}

torch::Tensor VaeModel::restore(const torch::Tensor& corrupted, const torch::Tensor& known, const torch::Tensor& labels) {
  if (!known.defined()) return reconstruct(corrupted, labels);
  // Missing-data imputation (Rezende et al. 2014, section 5.2): alternate reconstructing the
  // whole image and putting the known pixels back, so the hole converges to a completion
  // consistent with what is visible.
  // The hole starts empty (0) rather than grey: a grey square encodes as a blob the
  // iteration then keeps.
  torch::Tensor x = corrupted * known;
  for (int i = 0; i < kImputationRounds; ++i) x = known * corrupted + (1 - known) * reconstruct(x, labels);
  return x;
}

ModeResult VaeModel::sample_mode(const ModeRequest& r) {
  torch::NoGradGuard no_grad;
  const torch::Device device = log_sigma.device();
  if (r.klass >= 0 && r.mode != "manifold")
    throw UserError("--class " + std::to_string(r.klass) + ": --mode " + r.mode + " uses the test images' own labels");
  if (r.klass >= 0 && !config_.conditional)
    throw UserError("--class " + std::to_string(r.klass) + ": this model is not conditional");
  if (r.klass >= num_classes_)
    throw UserError("--class " + std::to_string(r.klass) + ": the model knows classes 0.." +
                    std::to_string(num_classes_ - 1));
  const int64_t num = r.sampling.num;
  const int64_t steps = r.sampling.steps > 0 ? r.sampling.steps : kDefaultSteps;
  const torch::Generator& generator = r.sampling.generator;
  ModeResult result;
  result.nrow = r.nrow;
  if (r.mode == "reconstruct") {
    Batch x = pick_examples(r.test_split, num, generator);
    torch::Tensor rec = reconstruct(x.images, labels_of(x, config_.conditional));
    result.images = interleave_rows({x.images, rec}, r.nrow, 0.0);
    result.report = {{"recon_mse", (rec - x.images).square().mean().item<double>()},
                     {"psnr_db", psnr(rec, x.images).mean().item<double>()}};
  } else if (r.mode == "interpolate") {
    Batch both = pick_examples(r.test_split, 2 * r.pairs, generator);
    auto part = [&](int64_t from, int64_t to) {
      return Batch{both.images.slice(0, from, to), both.labels.defined() ? both.labels.slice(0, from, to) : torch::Tensor()};
    };
    Batch a = part(0, r.pairs), b = part(r.pairs, 2 * r.pairs);
    torch::Tensor path = interpolate(a, b, steps).view({r.pairs, steps, a.images.size(1), a.images.size(2),
                                                          a.images.size(3)});
    // Each row: image a, the walk from its reconstruction to b's, image b.
    result.images = torch::cat({a.images.unsqueeze(1), path, b.images.unsqueeze(1)}, 1).flatten(0, 1);
    result.nrow = steps + 2;
  } else if (r.mode == "restore") {
    const Corruption c = parse_corruption(r.corrupt.empty() ? "noise:0.5" : r.corrupt);
    Batch x = pick_examples(r.test_split, num, generator);
    torch::Tensor damaged = corrupt(x.images, c, generator);
    torch::Tensor known = c.kind == Corruption::Kind::Mask
                              ? known_pixels(c.region, x.images.size(2), x.images.size(3)).to(device)
                              : torch::Tensor();
    torch::Tensor repaired = restore(damaged, known, labels_of(x, config_.conditional));
    result.images = interleave_rows({damaged, repaired, x.images}, r.nrow, 0.0);
    result.report = {{"psnr_corrupted_db", psnr(damaged, x.images).mean().item<double>()},
                     {"psnr_restored_db", psnr(repaired, x.images).mean().item<double>()}};
  } else if (r.mode == "manifold") {
    if (config_.latent_dim != 2)
      throw UserError("--mode manifold: needs model.latent_dim 2, this model has " +
                      std::to_string(config_.latent_dim));
    if (config_.conditional && r.klass < 0) throw UserError("--mode manifold: this VAE is conditional; pass --class");
    // Evenly spaced quantiles of N(0, 1) (Kingma & Welling 2014, figure 4): Phi^-1(p) = sqrt(2) erfinv(2p - 1).
    torch::Tensor p = torch::linspace(0.05, 0.95, steps, torch::kFloat);
    torch::Tensor q = std::sqrt(2.0) * torch::erfinv(2 * p - 1);
    auto grid = torch::meshgrid({q.flip(0), q}, "ij");  // rows: z2 from high to low; columns: z1
    torch::Tensor z = torch::stack({grid[1].flatten(), grid[0].flatten()}, 1).to(device);
    torch::Tensor labels = config_.conditional ? torch::full({z.size(0)}, r.klass, torch::kLong).to(device) : torch::Tensor();
    result.images = mean_image(decode(z, labels));
    result.nrow = steps;
  } else {
    throw UserError("--mode " + r.mode + ": unknown for a VAE (known: prior, reconstruct, interpolate, restore, manifold)");
  }
  return result;
}

}  // namespace gencli::vae
