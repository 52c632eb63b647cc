#include "models/model.h"

#include "core/errors.h"

namespace gencli {

torch::Tensor Model::sample(const SampleRequest&) {
  throw UserError("this model type does not generate images; use `gencli eval` on its checkpoint");
}

}  // namespace gencli
