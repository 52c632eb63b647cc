#pragma once
// The classifier family's `model` section: a small CNN that labels images. It is the feature
// network of `gencli eval --features` (Fréchet distance, KID, precision/recall, coverage).
#include <string>
#include <vector>

#include "core/config_fields.h"

namespace gencli::classifier {

struct ClassifierConfig {
  std::string type = "classifier";
  int64_t image_channels = 1;
  int64_t image_size = 28;                     // square images; a multiple of 2^len(conv_channels)
  std::vector<int64_t> conv_channels = {32, 64};  // 3x3 convolution + ReLU + 2x2 max-pool per entry
  int64_t feature_dim = 128;                   // the penultimate layer: the features the metrics compare
  double dropout = 0.25;                       // before the last layer, in training only

  template <class V>
  void visit(V& v) {
    using namespace config;
    v.field("type", type);
    v.field("image_channels", image_channels, at_least(1));
    v.field("image_size", image_size, at_least(2));
    v.field("conv_channels", conv_channels, positive_integers());
    v.field("feature_dim", feature_dim, at_least(2));
    v.field("dropout", dropout, in_range(0, 0.9));
  }
};

}  // namespace gencli::classifier
