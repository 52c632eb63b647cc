#include "models/sampling.h"

#include "core/errors.h"

namespace gencli {

torch::Tensor grid_labels(const Model& model, int64_t num, int64_t nrow, int64_t klass) {
  if (!model.conditional()) {
    if (klass >= 0) throw UserError("--class " + std::to_string(klass) + ": this model is not conditional");
    return {};
  }
  if (klass >= model.num_classes())
    throw UserError("--class " + std::to_string(klass) + ": the model knows classes 0.." +
                    std::to_string(model.num_classes() - 1));
  if (klass >= 0) return torch::full({num}, klass, torch::kLong);
  return torch::arange(num, torch::kLong).div(nrow, "floor").remainder(model.num_classes());
}

torch::Tensor draw_samples(Model& model, int64_t num, int64_t nrow, int64_t klass, uint64_t seed, bool use_ema) {
  SampleRequest request;
  request.num = num;
  request.labels = grid_labels(model, num, nrow, klass);
  request.use_ema = use_ema;
  request.generator = at::detail::createCPUGenerator(seed);
  return model.sample(request);
}

}  // namespace gencli
