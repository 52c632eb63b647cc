#include "models/model.h"

#include "core/errors.h"

namespace gencli {

torch::Tensor Model::sample(const SampleRequest&) {
  throw UserError("this model type does not generate images; use `gencli eval` on its checkpoint");
}

ModeResult Model::sample_mode(const ModeRequest& request) {
  throw UserError("--mode " + request.mode + ": this model type has no sample modes besides \"prior\"");
}

std::string Model::sample_text(const TextRequest&) { throw UserError("this model type does not generate text"); }

Validation Model::validate(EvalContext&) {
  throw UserError("train.eval_every: this model type reports no validation loss; set it to 0");
}

void Model::merge_adapters() { throw UserError("--merge-lora: this model type has no adapters"); }

void check_image_shape(const torch::Tensor& images, int64_t channels, int64_t size) {
  const auto s = images.sizes();
  if (s.size() == 4 && s[1] == channels && s[2] == size && s[3] == size) return;
  std::string got;
  for (size_t i = 1; i < s.size(); ++i) got += (got.empty() ? "" : "x") + std::to_string(s[i]);
  throw UserError("data.root: the data's images are " + got + " (channels x height x width) but " +
                  "model.image_channels/image_size ask for " + std::to_string(channels) + "x" + std::to_string(size) +
                  "x" + std::to_string(size));
}

}  // namespace gencli
