#include "eval/precision_recall.h"

#include "core/errors.h"

namespace gencli::eval {

namespace {

constexpr int64_t kRowsPerChunk = 1024;  // bounds the distance matrix held at once to 1024 x N

// The distance from each point to its k-th nearest neighbour among the others in the set.
torch::Tensor knn_radii(const torch::Tensor& set, int64_t k) {
  std::vector<torch::Tensor> radii;
  for (int64_t start = 0; start < set.size(0); start += kRowsPerChunk) {
    torch::Tensor d = torch::cdist(set.slice(0, start, start + kRowsPerChunk), set);
    // The smallest of the k + 1 nearest is the point itself, at distance 0.
    radii.push_back(std::get<0>(d.topk(k + 1, 1, /*largest=*/false)).select(1, k));
  }
  return torch::cat(radii);
}

}  // namespace

double share_inside_manifold(const torch::Tensor& support_in, const torch::Tensor& points_in, int64_t k) {
  if (support_in.size(0) <= k)
    throw UserError("precision/recall: k = " + std::to_string(k) + " needs more than k points in each set, got " +
                    std::to_string(support_in.size(0)));
  // Double precision: cdist's fast path (|a|^2 + |b|^2 - 2ab) loses the small radii of tight,
  // collapsed clusters in single precision.
  torch::Tensor support = support_in.to(torch::kCPU, torch::kDouble), points = points_in.to(torch::kCPU, torch::kDouble);
  torch::Tensor radii = knn_radii(support, k);
  int64_t inside = 0;
  for (int64_t start = 0; start < points.size(0); start += kRowsPerChunk) {
    torch::Tensor d = torch::cdist(points.slice(0, start, start + kRowsPerChunk), support);
    inside += d.le(radii.unsqueeze(0)).any(1).sum().item<int64_t>();
  }
  return static_cast<double>(inside) / points.size(0);
}

PrecisionRecall precision_recall(const torch::Tensor& real, const torch::Tensor& generated, int64_t k) {
  return {share_inside_manifold(real, generated, k), share_inside_manifold(generated, real, k), k};
}

}  // namespace gencli::eval
