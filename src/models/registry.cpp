#include "models/registry.h"

#include <spdlog/fmt/fmt.h>

#include <c10/core/CPUAllocator.h>

#include <atomic>
#include <string>

#include "core/config.h"
#include "core/errors.h"
#include "core/torch_compat.h"
#include "models/model.h"
#include "models/autoencoder/autoencoder_family.h"
#include "models/classifier/classifier_family.h"
#include "models/diffusion/diffusion_family.h"
#include "models/gan/gan_family.h"
#include "models/gpt/gpt_family.h"
#include "models/linreg/linreg_family.h"
#include "models/pixelcnn/pixelcnn_family.h"
#include "models/vae/vae_family.h"
#include "models/wavenet/wavenet_family.h"

namespace gencli::models {

const std::vector<Family>& families() {
  static const std::vector<Family> all = {
      gan_family(),
      linreg_family(),
      vae_family(),
      diffusion_family(),
      pixelcnn_family(),
      wavenet_family(),
      gpt_family(),
      classifier_family(),
      autoencoder_family(),
  };
  return all;
}

std::string known_types() {
  std::string names;
  for (const auto& f : families()) names += (names.empty() ? "" : ", ") + f.type;
  return names;
}

const Family& family(const std::string& type) {
  for (const auto& f : families())
    if (f.type == type) return f;
  throw ConfigError("model.type: unknown model type " + config::echo(type) + " (known: " + known_types() + ")");
}

nlohmann::json resolve_model_config(const nlohmann::json& model) {
  if (!model.is_object())
    throw ConfigError("model: expected an object with a \"type\" (one of " + known_types() + ")");
  if (!model.contains("type") || !model["type"].is_string())
    throw ConfigError("model.type: expected a string, one of " + known_types());
  return family(model["type"].get<std::string>()).resolve_config(model);
}

namespace {

// Passes every CPU allocation on, remembering the size asked for, so that a network too big to
// build can be refused with the figure (LibTorch's own failure may be a bare std::bad_alloc).
class RequestRecordingAllocator final : public torch_compat::ForwardingAllocator {
 public:
  using ForwardingAllocator::ForwardingAllocator;
  static inline std::atomic<size_t> last_request{0};

 protected:
  c10::DataPtr forward_allocate(size_t n) const override {
    last_request.store(n);
    return inner()->allocate(n);
  }
};

// Installs the recorder while a model is built.
class RecordAllocations {
 public:
  RecordAllocations() : recorder_(c10::GetCPUAllocator()) { c10::SetCPUAllocator(&recorder_); }
  ~RecordAllocations() { c10::SetCPUAllocator(recorder_.inner()); }
  RecordAllocations(const RecordAllocations&) = delete;
  RecordAllocations& operator=(const RecordAllocations&) = delete;

 private:
  RequestRecordingAllocator recorder_;
};

std::string too_big(const Config& config) {
  const double gib = static_cast<double>(RequestRecordingAllocator::last_request.load()) / (1024.0 * 1024 * 1024);
  return fmt::format("model: the {} network these sizes describe does not fit in memory (one of its tensors alone "
                     "needs {:.1f} GiB); make its layers smaller",
                     config.model_type(), gib);
}

}  // namespace

std::shared_ptr<Model> create_model(const Config& config) {
  std::shared_ptr<Model> model;
  // Sizes like model.latent_dim 1e8 pass every range check yet cannot be built: say which
  // section is at fault rather than print LibTorch's allocator trace.
  try {
    RecordAllocations record;
    model = family(config.model_type()).create(config);
  } catch (const c10::Error& e) {
    if (std::string(e.what_without_backtrace()).find("allocate") == std::string::npos) throw;
    throw ConfigError(too_big(config));
  } catch (const std::bad_alloc&) {
    throw ConfigError(too_big(config));
  }
  // A family that draws images draws 2-D points from 2-D data: the same tensors, another picture.
  if (config.data.type == "toy2d" && model->capabilities_.output == Output::images)
    model->capabilities_.output = Output::points;
  return model;
}

}  // namespace gencli::models
