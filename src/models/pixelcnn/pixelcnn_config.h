#pragma once
// The PixelCNN family's `model` section. Defaults: a gated PixelCNN (vertical and horizontal
// stacks, no blind spot) over dynamically binarized pixels, sized to train on a CPU.
#include <string>

#include "core/config_fields.h"

namespace gencli::pixelcnn {

struct PixelCnnConfig {
  std::string type = "pixelcnn";
  std::string arch = "gated";          // "gated" (van den Oord et al. 2016b) or "residual" (masked convs, 2016a)
  int64_t channels = 64;               // feature maps of every layer
  int64_t layers = 8;                  // gated layers, or residual blocks
  int64_t kernel = 3;                  // odd size of the masked convolutions after the first
  int64_t first_kernel = 7;            // residual: odd size of the first (mask A) convolution
  int64_t head_channels = 128;         // the 1x1 output head's hidden width
  std::string likelihood = "bernoulli";  // "bernoulli" (binarized pixels) or "categorical" (`levels` intensities)
  int64_t levels = 256;                // categorical: intensity levels K (256 = every 8-bit value)
  int64_t image_channels = 1;
  int64_t image_size = 28;
  bool conditional = false;            // a class embedding biases every layer

  template <class V>
  void visit(V& v) {
    using namespace config;
    const Constraint<int64_t> odd{"an odd integer >= 3", [](const int64_t& k) { return k >= 3 && k % 2 == 1; }};
    v.field("type", type);
    v.field("arch", arch, one_of({"gated", "residual"}));
    v.field("channels", channels, at_least(2));
    v.field("layers", layers, at_least(1));
    v.field("kernel", kernel, odd);
    v.field("first_kernel", first_kernel, odd);
    v.field("head_channels", head_channels, at_least(1));
    v.field("likelihood", likelihood, one_of({"bernoulli", "categorical"}));
    v.field("levels", levels, Constraint<int64_t>{"an integer in [2, 256]", [](const int64_t& k) {
                                return k >= 2 && k <= 256; }});
    v.field("image_channels", image_channels, at_least(1));
    v.field("image_size", image_size, at_least(2));
    v.field("conditional", conditional);
  }
};

}  // namespace gencli::pixelcnn
