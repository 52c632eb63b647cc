#pragma once
// Mu-law companding: audio in [-1, 1] <-> `levels` integer codes, as WaveNet's 256-way
// softmax over 8-bit samples needs (van den Oord et al. 2016, "WaveNet: A Generative Model
// for Raw Audio", section 2.2; ITU-T G.711's continuous mu-law curve).
//
//   F(x) = sign(x) ln(1 + mu |x|) / ln(1 + mu),   mu = levels - 1 (255 for 256 levels)
//
// F spends its levels where speech mostly is: with 256 levels a step is about 2e-4 of full
// scale near silence and about 0.04 near full scale, so quiet sounds survive 8 bits.
#include "core/torch_api.h"

namespace gencli {

// audio: float of any shape, values in [-1, 1] (outside is clamped). Returns int64 codes of
// the same shape in [0, levels - 1]: -1 -> 0, 1 -> levels - 1, uniform in F(x).
torch::Tensor mu_law_encode(const torch::Tensor& audio, int64_t levels = 256);

// codes: integer tensor of values in [0, levels - 1]. Returns float in [-1, 1], the inverse
// of F at each level's centre.
torch::Tensor mu_law_decode(const torch::Tensor& codes, int64_t levels = 256);

}  // namespace gencli
