#pragma once
// The WaveNet family's `model` section. Defaults: two stacks of ten layers with dilations
// 1, 2, ..., 512 (a receptive field of 2047 samples, 0.13 s at 16 kHz), 32 residual and 64 skip
// channels, a 256-way softmax over mu-law codes, trained on windows of 4000 samples.
#include <string>

#include "core/config_fields.h"

namespace gencli::wavenet {

struct WaveNetConfig {
  std::string type = "wavenet";
  int64_t residual_channels = 32;  // width of the dilated stack
  int64_t skip_channels = 64;      // width of the skip sum and the output head
  int64_t layers_per_stack = 10;   // dilations 1, 2, 4, ... 2^(n-1) within a stack
  int64_t stacks = 2;              // stacks repeat the dilation cycle
  int64_t levels = 256;            // mu-law levels: the softmax's size
  int64_t window = 4000;           // training: samples per random window cut from a clip
  bool conditional = false;        // global conditioning on the clip's class (which word)

  template <class V>
  void visit(V& v) {
    using namespace config;
    v.field("type", type);
    v.field("residual_channels", residual_channels, at_least(1));
    v.field("skip_channels", skip_channels, at_least(1));
    v.field("layers_per_stack", layers_per_stack, Constraint<int64_t>{"an integer in [1, 16]", [](const int64_t& n) {
                                                      return n >= 1 && n <= 16; }});
    v.field("stacks", stacks, at_least(1));
    v.field("levels", levels, Constraint<int64_t>{"an integer in [2, 65536]", [](const int64_t& k) {
                                  return k >= 2 && k <= 65536; }});
    v.field("window", window, at_least(2));
    v.field("conditional", conditional);
  }

  // Samples before t that the prediction of sample t can see: 1 + the sum of the dilations.
  int64_t receptive_field() const { return 1 + stacks * ((int64_t{1} << layers_per_stack) - 1); }
};

}  // namespace gencli::wavenet
