#include "models/model.h"

#include "core/errors.h"

namespace gencli {

torch::Tensor Model::sample(const SampleRequest&) {
  throw UserError("this model type does not generate images; use `gencli eval` on its checkpoint");
}

ModeResult Model::sample_mode(const ModeRequest& request) {
  throw UserError("--mode " + request.mode + ": this model type has no sample modes besides \"prior\"");
}

}  // namespace gencli
