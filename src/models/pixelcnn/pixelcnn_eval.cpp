// `gencli eval` for the PixelCNN: the exact negative log-likelihood of the test split, in nats
// per image and bits per dimension.
#include "core/errors.h"
#include "models/discrete_pixels.h"
#include "models/likelihood_summary.h"
#include "models/pixelcnn/pixelcnn_model.h"

namespace gencli::pixelcnn {

namespace {

constexpr int64_t kEvalBatch = 250;

}  // namespace

nlohmann::json PixelCnnModel::evaluate(EvalContext& ctx) {
  torch::NoGradGuard no_grad;
  const Batch& test = ctx.test_split;
  if (!test.images.defined() || test.images.size(0) == 0)
    throw UserError("pixelcnn eval needs the test split (data.root)");
  check_image_shape(test.images, config_.image_channels, config_.image_size);
  const int64_t n = test.images.size(0), dims = test.images[0].numel();
  torch::Generator generator = at::detail::createCPUGenerator(static_cast<uint64_t>(ctx.seed));
  // One fixed binarization of the test set drawn from the seed (the binarized-MNIST protocol).
  torch::Tensor all_targets = targets(test.images, generator);
  double sum_nll = 0;
  for (int64_t start = 0; start < n; start += kEvalBatch) {
    const int64_t end = std::min(n, start + kEvalBatch);
    torch::Tensor labels = config_.conditional ? test.labels.slice(0, start, end) : torch::Tensor();
    sum_nll += -log_likelihood(all_targets.slice(0, start, end), labels).sum().item<double>();
  }
  const double nll = sum_nll / n;
  nlohmann::json j;
  j["test_images"] = n;
  if (config_.likelihood == "bernoulli")
    j["data"] = "stochastically binarized once (seed " + std::to_string(ctx.seed) + ")";
  else
    j["data"] = config_.levels == 256 ? "8-bit pixels (256 levels)"
                                      : std::to_string(config_.levels) + " intensity levels (floor(x * K))";
  j["nll_nats"] = nll;
  j["bits_per_dim"] = bits_per_dim(nll, dims);
  j["dims"] = dims;
  add_likelihood_row(j, likelihood_row(config_.conditional ? "autoregressive (x | label)" : "autoregressive", true,
                                       nll, "image", dims, j["data"]));
  return j;
}

}  // namespace gencli::pixelcnn
