#include "data/toy2d.h"

#include <cmath>

#include "core/errors.h"

namespace gencli {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr float kRingRadius = 0.8f, kRingStd = 0.02f;
constexpr float kGridStep = 0.4f, kGridStd = 0.025f;  // centres -0.8 .. 0.8; 3 std stays well inside half a step

// "unit" is the "tanh" layout squeezed into [0, 1]; lengths halve with it.
float to_range(float x, const std::string& range) { return range == "unit" ? (x + 1.f) / 2.f : x; }

// (K, 2) float.
torch::Tensor as_tensor(const std::vector<std::array<float, 2>>& centres) {
  std::vector<float> flat;
  for (const auto& c : centres) flat.insert(flat.end(), c.begin(), c.end());
  return torch::tensor(flat, torch::kFloat).view({-1, 2});
}

torch::Tensor gaussians(const std::vector<std::array<float, 2>>& centres, float std, int64_t n,
                        torch::Generator& gen, torch::Tensor& labels) {
  torch::Tensor table = as_tensor(centres);
  labels = torch::randint(static_cast<int64_t>(centres.size()), {n}, gen, torch::kLong);
  return table.index_select(0, labels) + std * torch::randn({n, 2}, gen);
}

// sklearn's 2-D Swiss roll, t in [1.5 pi, 4.5 pi], scaled so its outer edge has radius 0.9.
torch::Tensor swiss_roll(int64_t n, torch::Generator& gen) {
  torch::Tensor t = 1.5 * kPi * (1 + 2 * torch::rand({n}, gen));
  torch::Tensor xy = torch::stack({t * torch::cos(t), t * torch::sin(t)}, 1);
  return xy * (0.9 / (4.5 * kPi)) + 0.01 * torch::randn({n, 2}, gen);
}

// sklearn's two moons (x in [-1, 2], y in [-0.5, 1]) centred and scaled by 0.6 into about [-0.9, 0.9].
torch::Tensor two_moons(int64_t n, torch::Generator& gen, torch::Tensor& labels) {
  labels = torch::randint(2, {n}, gen, torch::kLong);
  torch::Tensor theta = kPi * torch::rand({n}, gen);
  torch::Tensor lower = labels.to(torch::kFloat);
  torch::Tensor upper = 1 - lower;
  torch::Tensor x = upper * torch::cos(theta) + lower * (1 - torch::cos(theta));
  torch::Tensor y = upper * torch::sin(theta) + lower * (0.5 - torch::sin(theta));
  torch::Tensor xy = torch::stack({x - 0.5, y - 0.25}, 1) * 0.6;
  return xy + 0.03 * torch::randn({n, 2}, gen);
}

}  // namespace

int64_t toy2d_components(const std::string& toy) {
  if (toy == "ring8") return 8;
  if (toy == "grid25") return 25;
  if (toy == "two_moons") return 2;
  if (toy == "swiss_roll") return 1;
  throw ConfigError("data.toy: unknown toy distribution \"" + toy + "\"");
}

std::vector<std::array<float, 2>> toy2d_mode_centres(const std::string& toy, const std::string& range) {
  std::vector<std::array<float, 2>> centres;
  if (toy == "ring8") {
    for (int k = 0; k < 8; ++k) {
      const double angle = 2 * kPi * k / 8;
      centres.push_back({static_cast<float>(kRingRadius * std::cos(angle)),
                         static_cast<float>(kRingRadius * std::sin(angle))});
    }
  } else if (toy == "grid25") {
    for (int row = 0; row < 5; ++row)
      for (int col = 0; col < 5; ++col) centres.push_back({-0.8f + kGridStep * col, -0.8f + kGridStep * row});
  }
  for (auto& c : centres) c = {to_range(c[0], range), to_range(c[1], range)};
  return centres;
}

float toy2d_mode_std(const std::string& toy, const std::string& range) {
  const float scale = range == "unit" ? 0.5f : 1.f;
  if (toy == "ring8") return kRingStd * scale;
  if (toy == "grid25") return kGridStd * scale;
  return 0.f;
}

ImageDataset toy2d_draw(const std::string& toy, int64_t n, uint64_t seed) {
  torch::Generator gen = at::detail::createCPUGenerator(seed);
  ImageDataset data;
  if (toy == "ring8" || toy == "grid25") {
    data.images = gaussians(toy2d_mode_centres(toy, "tanh"), toy2d_mode_std(toy, "tanh"), n, gen, data.labels);
  } else if (toy == "swiss_roll") {
    data.images = swiss_roll(n, gen);
    data.labels = torch::zeros({n}, torch::kLong);
  } else if (toy == "two_moons") {
    data.images = two_moons(n, gen, data.labels);
  } else {
    toy2d_components(toy);  // throws naming data.toy
  }
  data.images = data.images.to(torch::kFloat).contiguous();
  return data;
}

ImageDataset load_toy2d(const DataConfig& config, Split split) {
  const int64_t components = toy2d_components(config.toy);
  if (config.num_classes < components)
    throw ConfigError("data.num_classes: toy \"" + config.toy + "\" has " + std::to_string(components) +
                      " labelled components, but data.num_classes is " + std::to_string(config.num_classes));
  const bool train = split == Split::Train;
  int64_t n = train ? config.toy_points : std::max<int64_t>(1, config.toy_points / 4);
  if (train && config.limit > 0) n = std::min(n, config.limit);
  const uint64_t seed = 2 * static_cast<uint64_t>(config.toy_seed) + (train ? 0 : 1);
  ImageDataset data = toy2d_draw(config.toy, n, seed);
  if (config.range == "unit") data.images = (data.images + 1) / 2;
  data.images = data.images.view({n, 2, 1, 1});
  return data;
}

ToyCoverage toy2d_coverage(const torch::Tensor& points, const std::string& toy, const std::string& range) {
  const std::vector<std::array<float, 2>> centres = toy2d_mode_centres(toy, range);
  if (centres.empty()) throw UserError("data.toy \"" + toy + "\" has no modes to cover (only ring8 and grid25 do)");
  torch::Tensor xy = points.detach().to(torch::kCPU, torch::kFloat).reshape({points.size(0), -1});
  if (xy.size(0) == 0 || xy.size(1) != 2)
    throw UserError("toy coverage needs (N, 2) points with N >= 1, got " + std::to_string(xy.size(0)) + " of " +
                    std::to_string(xy.size(1)) + " values");
  const auto k = static_cast<int64_t>(centres.size());
  auto [distance, nearest] = torch::cdist(xy, as_tensor(centres)).min(1);
  torch::Tensor counts = torch::bincount(nearest, {}, k);
  const int64_t n = xy.size(0);
  ToyCoverage c;
  c.modes_total = k;
  c.modes_covered = (counts * 100 >= n).sum().item<int64_t>();  // at least 1% of the samples
  c.mean_distance = distance.mean().item<double>();
  c.high_quality = (distance <= 3 * toy2d_mode_std(toy, range)).to(torch::kDouble).mean().item<double>();
  return c;
}

}  // namespace gencli
