#pragma once
// The interface every model family implements. The shared training loop (train/), the
// checkpoint (train/checkpoint.h) and the commands only talk to this. What a family is lives in
// its Capabilities; the hooks below are what it does. Requests are in models/requests.h.
#include "core/torch_api.h"
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "data/tokenizer.h"
#include "models/capabilities.h"
#include "models/requests.h"

namespace gencli {

class Model;
namespace models {
std::shared_ptr<Model> create_model(const Config& config);
}

// A held-out loss (lower is better) and numbers logged beside it (a classifier's accuracy).
struct Validation {
  double loss = 0;
  StepMetrics details;
};

// What a sequence model reads: its tokenizer and the tokens a training example spans (the
// targets included). Null tokenizer: the family does not read text.
struct TextInput {
  const Tokenizer* tokenizer = nullptr;
  int64_t window = 0;
};

class Model : public torch::nn::Module {
 public:
  const Capabilities& capabilities() const { return capabilities_; }

  // Training: the parts that each get an optimizer, and one step (the loop steps the LR).
  virtual std::vector<OptimizedPart> optimized_parts() = 0;
  virtual StepMetrics train_step(StepContext& ctx) = 0;
  // The network an EMA tracks (the generator), or null when the family keeps none.
  virtual torch::nn::Module* ema_target() { return nullptr; }
  // Capabilities::validation_loss: the loss on ctx.test_split, every train.eval_every steps.
  virtual Validation validate(EvalContext& ctx);
  // Called once after the last step (the linear-regression walkthrough prints its fit).
  virtual void on_train_end(bool explain) {}
  virtual TextInput text_input() const { return {}; }

  // Generation, as Capabilities::output says: images, points or audio; a mode; text.
  virtual torch::Tensor sample(const SampleRequest& request);
  virtual ModeResult sample_mode(const ModeRequest& request);
  virtual std::string sample_text(const TextRequest& request);

  // Scores the model (printed as a table or JSON by `gencli eval`).
  virtual nlohmann::json evaluate(EvalContext& ctx) = 0;
  // Real images in [0, 1] as this model's pixel model sees them (PixelCNN: binarized), so that
  // samples are judged against data of their own kind; default: unchanged.
  virtual torch::Tensor data_as_modelled(const torch::Tensor& images, const torch::Generator& generator) const {
    return images;
  }
  // Capabilities::adapters_only: folds the adapters into the weights (`gencli export --merge-lora`).
  virtual void merge_adapters();

  // The EMA copy of ema_target() when the run keeps one; sample() uses it when asked.
  std::shared_ptr<torch::nn::Module> ema;

 protected:
  explicit Model(Capabilities capabilities) : capabilities_(std::move(capabilities)) {}

 private:
  friend std::shared_ptr<Model> models::create_model(const Config& config);  // 2-D data: points
  Capabilities capabilities_;
};

// Throws UserError naming data.root and model.image_channels/image_size when a batch of images
// (B, C, H, W) does not have the shape the model was built for.
void check_image_shape(const torch::Tensor& images, int64_t channels, int64_t size);

}  // namespace gencli
