#include "eval/detection.h"

#include <cmath>

#include "core/errors.h"

namespace gencli::eval {

namespace nn = torch::nn;

namespace {

constexpr int64_t kBatch = 64;
constexpr int64_t kEpochs = 5;
constexpr int64_t kMinSteps = 200, kMaxSteps = 1500;

// Two stride-2 convolutions and a linear read-out: enough to catch texture, blur and shape
// artifacts, small enough to train in seconds.
nn::Sequential make_detector(int64_t channels, int64_t height, int64_t width) {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(channels, 16, 4).stride(2).padding(1)),
                        nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)),
                        nn::Conv2d(nn::Conv2dOptions(16, 32, 4).stride(2).padding(1)),
                        nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)), nn::Flatten(),
                        nn::Linear(32 * (height / 4) * (width / 4), 1));
}

}  // namespace

std::pair<double, double> wilson_interval(double p, int64_t n) {
  const double z = 1.959964, z2 = z * z, nn_ = static_cast<double>(n);
  const double centre = (p + z2 / (2 * nn_)) / (1 + z2 / nn_);
  const double half = z * std::sqrt(p * (1 - p) / nn_ + z2 / (4 * nn_ * nn_)) / (1 + z2 / nn_);
  return {centre - half, centre + half};
}

// The detector's starting weights, drawn from the global CPU generator seeded for the purpose;
// the generator's state is put back afterwards so callers' random streams do not shift.
nn::Sequential seeded_detector(int64_t channels, int64_t height, int64_t width, uint64_t seed) {
  // No lock held here: building the layers takes the generator's own lock.
  at::Generator global = at::detail::getDefaultCPUGenerator();
  const at::Tensor saved = global.get_state();
  global.set_current_seed(seed);
  nn::Sequential detector = make_detector(channels, height, width);
  global.set_state(saved);
  return detector;
}

Detection detection_test(const torch::Tensor& real_in, const torch::Tensor& generated_in, uint64_t seed,
                         const torch::Device& device) {
  if (real_in.sizes().slice(1) != generated_in.sizes().slice(1))
    throw UserError("detection: real and generated images differ in shape");
  const int64_t n = std::min(real_in.size(0), generated_in.size(0));
  if (n < 4) throw UserError("detection: needs at least 4 images in each set, got " + std::to_string(n));
  if (real_in.size(2) < 4 || real_in.size(3) < 4) throw UserError("detection: images must be at least 4x4");
  auto generator = at::detail::createCPUGenerator(seed);
  auto pick = [&](const torch::Tensor& set) {
    torch::Tensor order = torch::randperm(set.size(0), generator, torch::kLong).slice(0, 0, n);
    return set.index_select(0, order.to(set.device())).to(device, torch::kFloat);
  };
  torch::Tensor real = pick(real_in), generated = pick(generated_in);
  const int64_t half = n / 2;
  auto labelled = [&](int64_t from, int64_t to) {
    torch::Tensor x = torch::cat({real.slice(0, from, to), generated.slice(0, from, to)});
    torch::Tensor y = torch::cat({torch::ones({to - from}), torch::zeros({to - from})}).to(device);
    return std::make_pair(x * 2 - 1, y);
  };
  auto [train_x, train_y] = labelled(0, half);
  auto [test_x, test_y] = labelled(half, n);

  torch::AutoGradMode gradients_on(true);  // callers may score under NoGradGuard
  nn::Sequential detector = seeded_detector(real.size(1), real.size(2), real.size(3), seed);
  detector->to(device);
  torch::optim::Adam optimizer(detector->parameters(), torch::optim::AdamOptions(1e-3));
  const int64_t train_size = train_x.size(0);
  const int64_t steps = std::clamp(kEpochs * train_size / kBatch, kMinSteps, kMaxSteps);
  torch::Tensor order;
  int64_t position = train_size;
  detector->train();
  for (int64_t step = 0; step < steps; ++step) {
    if (position + kBatch > train_size) {
      order = torch::randperm(train_size, generator, torch::kLong).to(device);
      position = 0;
    }
    torch::Tensor idx = order.slice(0, position, std::min(train_size, position + kBatch));
    position += kBatch;
    torch::Tensor logits = detector->forward(train_x.index_select(0, idx)).squeeze(1);
    torch::Tensor loss = torch::binary_cross_entropy_with_logits(logits, train_y.index_select(0, idx));
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
  }
  detector->eval();
  torch::NoGradGuard no_grad;
  int64_t correct = 0;
  for (int64_t start = 0; start < test_x.size(0); start += 500) {
    torch::Tensor logits = detector->forward(test_x.slice(0, start, start + 500)).squeeze(1);
    correct += logits.gt(0).to(torch::kFloat).eq(test_y.slice(0, start, start + 500)).sum().item<int64_t>();
  }
  Detection d;
  d.train_images = train_size;
  d.test_images = test_x.size(0);
  d.steps = steps;
  d.accuracy = static_cast<double>(correct) / d.test_images;
  std::tie(d.ci_low, d.ci_high) = wilson_interval(d.accuracy, d.test_images);
  return d;
}

}  // namespace gencli::eval
