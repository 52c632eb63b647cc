#pragma once
// Named scalars a training step (or a validation pass) reports, in display order
// ("loss_d", "loss_g", ...). Below every layer that logs or shows them.
#include <string>
#include <utility>
#include <vector>

namespace gencli {

using StepMetrics = std::vector<std::pair<std::string, double>>;

}  // namespace gencli
