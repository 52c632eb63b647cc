#include "models/corruption.h"

#include <cstdlib>

#include "core/errors.h"

namespace gencli {

std::string mask_regions() { return "center, bottom, top, left, right"; }

Corruption parse_corruption(const std::string& spec, const std::string& flag) {
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  Corruption c;
  if (kind == "noise") {
    char* end = nullptr;
    c.kind = Corruption::Kind::Noise;
    c.sigma = arg.empty() ? 0.0 : std::strtod(arg.c_str(), &end);
    if (arg.empty() || *end != '\0' || !(c.sigma > 0) || c.sigma > 10)
      throw UserError(flag + " " + spec + ": expected noise:SIGMA with SIGMA a number in (0, 10], e.g. noise:0.5");
    return c;
  }
  if (kind == "mask") {
    c.kind = Corruption::Kind::Mask;
    c.region = arg;
    for (const char* r : {"center", "bottom", "top", "left", "right"})
      if (arg == r) return c;
    throw UserError(flag + " " + spec + ": unknown mask region \"" + arg + "\" (known: " + mask_regions() + ")");
  }
  throw UserError(flag + " " + spec + ": expected noise:SIGMA or mask:REGION (" + mask_regions() + ")");
}

torch::Tensor known_pixels(const std::string& region, int64_t height, int64_t width) {
  torch::Tensor known = torch::ones({1, 1, height, width});
  using torch::indexing::Slice;
  if (region == "center")
    known.index_put_({0, 0, Slice(height / 4, height - height / 4), Slice(width / 4, width - width / 4)}, 0);
  else if (region == "bottom")
    known.index_put_({0, 0, Slice(height / 2, height), Slice()}, 0);
  else if (region == "top")
    known.index_put_({0, 0, Slice(0, height / 2), Slice()}, 0);
  else if (region == "left")
    known.index_put_({0, 0, Slice(), Slice(0, width / 2)}, 0);
  else if (region == "right")
    known.index_put_({0, 0, Slice(), Slice(width / 2, width)}, 0);
  else
    throw UserError("mask region \"" + region + "\": unknown (known: " + mask_regions() + ")");
  return known;
}

torch::Tensor corrupt(const torch::Tensor& x, const Corruption& c, const torch::Generator& generator) {
  if (c.kind == Corruption::Kind::Noise) {
    torch::Tensor noise = torch::randn(x.sizes(), generator, torch::TensorOptions().dtype(x.dtype()));
    return (x + c.sigma * noise.to(x.device())).clamp(0, 1);
  }
  torch::Tensor known = known_pixels(c.region, x.size(2), x.size(3)).to(x.options());
  return x * known + 0.5 * (1 - known);
}

torch::Tensor psnr(const torch::Tensor& images, const torch::Tensor& reference) {
  torch::Tensor mse = (images - reference).square().flatten(1).mean(1).clamp_min(1e-10);
  return -10 * torch::log10(mse);
}

}  // namespace gencli
