// compare_weights A.pt B.pt RTOL: the models in two checkpoints hold the same tensors (names
// and shapes), each within RTOL relative: ||a - b|| / ||a|| (the 2-norm over the tensor).
// Prints the worst tensor's figure, and the largest single difference relative to the
// tensor's largest value; exit 1 beyond RTOL, 2 on a structural mismatch. For the
// data-parallel tests, where the order floats are summed in differs.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "train/checkpoint.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: compare_weights A.pt B.pt RTOL\n");
    return 2;
  }
  const double rtol = std::atof(argv[3]);
  try {
    auto a = gencli::load_model(argv[1], torch::kCPU).model;
    auto b = gencli::load_model(argv[2], torch::kCPU).model;
    const auto pa = a->named_parameters(true), pb = b->named_parameters(true);
    if (pa.size() != pb.size()) {
      std::fprintf(stderr, "compare_weights: %zu tensors against %zu\n", pa.size(), pb.size());
      return 2;
    }
    double worst = 0, worst_element = 0;
    std::string where;
    for (const auto& item : pa) {
      const torch::Tensor* other = pb.find(item.key());
      if (!other || !other->sizes().equals(item.value().sizes())) {
        std::fprintf(stderr, "compare_weights: %s is missing or shaped differently in %s\n", item.key().c_str(), argv[2]);
        return 2;
      }
      const torch::Tensor a = item.value().to(torch::kDouble), d = a - other->to(torch::kDouble);
      const double diff = d.norm().item<double>() / std::max(a.norm().item<double>(), 1e-30);
      worst_element = std::max(worst_element, d.abs().max().item<double>() / std::max(a.abs().max().item<double>(), 1e-30));
      if (diff >= worst) {
        worst = diff;
        where = item.key();
      }
    }
    std::printf("    largest relative difference %.2e in %s (tolerance %g; largest single value %.2e of its tensor's "
                "largest)\n", worst, where.c_str(), rtol, worst_element);
    return worst <= rtol ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compare_weights: %s\n", e.what());
    return 2;
  }
}
