#include "train/run_data.h"

#include "core/errors.h"

namespace gencli {

namespace {

// The tokenizer and window a text run needs, or a ConfigError saying why the pair does not fit.
TextInput text_input(const Config& config, const Model& model) {
  const TextInput input = model.text_input();
  if (!input.tokenizer || input.window <= 0)
    throw ConfigError("data.type: \"text\" needs a sequence model; model.type " + config.model_type() +
                      " does not read text");
  return input;
}

void check_not_text_model(const Config& config, const Model& model) {
  if (model.text_input().tokenizer)
    throw ConfigError("data.type: model.type " + config.model_type() + " reads text, so data.type must be \"text\", got \"" +
                      config.data.type + "\"");
}

}  // namespace

std::unique_ptr<RunData> load_run_data(const Config& config, const Model& model, const torch::Device& device) {
  auto data = std::make_unique<RunData>();
  const uint64_t seed = static_cast<uint64_t>(config.train.seed) + 1;
  if (config.data.type == "text") {
    const TextInput input = text_input(config, model);
    const Tokenizer& tokenizer = *input.tokenizer;
    data->text = load_text_splits(config.data, tokenizer, input.window, device);
    data->batches = std::make_unique<TextWindows>(data->text.train, config.train.batch_size, input.window, seed);
    data->description = config.data.path + ": " + std::to_string(data->text.train.size(0)) + " training tokens, " +
                        std::to_string(data->text.val.size(0)) + " for validation (" +
                        (tokenizer.is_bytes() ? "bytes" : std::to_string(tokenizer.size()) + " " + tokenizer.unit() + "s") + ")";
    return data;
  }
  check_not_text_model(config, model);
  if (config.data.type == "canvas") {
    // The training split's objects; the canvases are composed anew for every batch, so there
    // are no training images to hold (train_images stays empty).
    DataConfig objects = config.data;
    objects.type = "idx";
    data->canvas_grammar = std::make_unique<canvas::SceneGrammar>(canvas_grammar(config.data));
    data->canvas_objects = std::make_unique<CanvasObjects>(load_image_dataset(objects, Split::Train, device),
                                                           data->canvas_grammar->num_classes());
    data->batches = std::make_unique<CanvasBatches>(*data->canvas_objects, *data->canvas_grammar,
                                                    config.train.batch_size, seed);
    const ImageDataset& cells = data->canvas_objects->images();
    const torch::Tensor& images = cells.images;
    data->description = "canvases of " + config.data.root + ": 2x2 cells of " + std::to_string(cells.size()) +
                        " training images of " + std::to_string(images.size(1)) + "x" + std::to_string(images.size(2)) +
                        "x" + std::to_string(images.size(3)) + ", " + std::to_string(config.data.held_out.size()) +
                        " held-out objects";
    return data;
  }
  data->train_images = load_image_dataset(config.data, Split::Train, device);
  const ImageDataset& d = data->train_images;
  data->batches = std::make_unique<ShuffledBatches>(d, config.train.batch_size, seed);
  data->description = describe_data(config.data) + ": " + std::to_string(d.size()) +
                      (config.data.type == "audio_folder"
                           ? " training clips"
                           : " training images of " + std::to_string(d.images.size(1)) + "x" +
                                 std::to_string(d.images.size(2)) + "x" + std::to_string(d.images.size(3)));
  return data;
}

Batch load_held_out(const Config& config, const Model& model, const torch::Device& device, int64_t limit) {
  Batch held_out;
  if (config.data.type == "text") {
    const TextInput input = text_input(config, model);
    torch::Tensor val = load_text_splits(config.data, *input.tokenizer, input.window, device).val;
    if (limit > 0 && limit < val.size(0)) val = val.slice(0, 0, limit);
    held_out.tokens = val.unsqueeze(0);
    return held_out;
  }
  check_not_text_model(config, model);
  ImageDataset test = load_image_dataset(config.data, Split::Test, device);
  held_out.images = test.images;
  held_out.labels = test.labels;
  held_out.captions = test.captions;
  held_out.cells = test.cells;
  if (limit > 0 && limit < test.size()) {
    held_out.images = held_out.images.slice(0, 0, limit);
    held_out.labels = held_out.labels.slice(0, 0, limit);
    if (!held_out.captions.empty()) held_out.captions.resize(static_cast<size_t>(limit));
    if (held_out.cells.defined()) held_out.cells = held_out.cells.slice(0, 0, limit);
  }
  return held_out;
}

}  // namespace gencli
