#include "models/sampling.h"

#include "core/errors.h"

namespace gencli {

torch::Tensor grid_labels(const Model& model, int64_t num, int64_t nrow, int64_t klass) {
  const Capabilities& caps = model.capabilities();
  if (!caps.conditional()) {
    if (klass >= 0) throw UserError("--class " + std::to_string(klass) + ": this model is not conditional");
    return {};
  }
  if (klass >= caps.classes)
    throw UserError("--class " + std::to_string(klass) + ": the model knows classes 0.." +
                    std::to_string(caps.classes - 1));
  if (klass >= 0) return torch::full({num}, klass, torch::kLong);
  return torch::arange(num, torch::kLong).div(nrow, "floor").remainder(caps.classes);
}

torch::Tensor draw_samples(Model& model, SampleRequest request, int64_t nrow, int64_t klass, uint64_t seed) {
  request.labels = grid_labels(model, request.num, nrow, klass);
  request.generator = at::detail::createCPUGenerator(seed);
  return model.sample(request);
}

torch::Tensor latent_vectors(const SampleRequest& request, int64_t latent_dim) {
  if (!request.latents.defined()) return torch::randn({request.num, latent_dim}, request.generator);
  const torch::Tensor& z = request.latents;
  if (z.dim() != 2 || z.size(0) != request.num || z.size(1) != latent_dim)
    throw UserError("--latents: shape " + c10::str(z.sizes()) + "; this model decodes (" + std::to_string(request.num) +
                    ", " + std::to_string(latent_dim) + ") latent vectors (model.latent_dim " +
                    std::to_string(latent_dim) + ")");
  return z.to(torch::kFloat);
}

Batch pick_examples(const Batch& split, int64_t n, const torch::Generator& generator) {
  const int64_t size = split.images.defined() ? split.images.size(0) : 0;
  if (n > size)
    throw UserError("the test split has " + std::to_string(size) + " images, fewer than the " + std::to_string(n) +
                    " this mode needs");
  torch::Tensor index = torch::randperm(size, generator, torch::kLong).slice(0, 0, n).to(split.images.device());
  Batch b;
  b.images = split.images.index_select(0, index);
  if (split.labels.defined()) b.labels = split.labels.index_select(0, index.to(split.labels.device()));
  if (!split.captions.empty()) {
    torch::Tensor picked = index.cpu();
    for (int64_t i = 0; i < n; ++i) b.captions.push_back(split.captions.at(static_cast<size_t>(picked[i].item<int64_t>())));
  }
  return b;
}

torch::Tensor interleave_rows(const std::vector<torch::Tensor>& sets, int64_t nrow, double fill) {
  const int64_t n = sets.front().size(0);
  nrow = std::min(nrow, n);
  const int64_t rows = (n + nrow - 1) / nrow;
  std::vector<torch::Tensor> out;
  for (int64_t r = 0; r < rows; ++r) {
    for (const auto& set : sets) {
      torch::Tensor row = set.slice(0, r * nrow, std::min(n, (r + 1) * nrow));
      if (row.size(0) < nrow) {
        auto sizes = row.sizes().vec();
        sizes[0] = nrow - row.size(0);
        row = torch::cat({row, torch::full(sizes, fill, row.options())});
      }
      out.push_back(row);
    }
  }
  return torch::cat(out);
}

}  // namespace gencli
