#pragma once
// The data a run reads, whatever data.type: training batches that resume exactly, and the
// held-out split that validation and `gencli eval` score.
#include <memory>
#include <string>

#include "core/config.h"
#include "data/canvas.h"
#include "data/image_dataset.h"
#include "data/text_corpus.h"
#include "models/model.h"

namespace gencli {

struct RunData {
  ImageDataset train_images;              // image-like types (idx, folders, toy2d; not canvas)
  TextSplits text;                        // data.type "text"
  std::unique_ptr<canvas::SceneGrammar> canvas_grammar;  // data.type "canvas": captions and their objects
  std::unique_ptr<CanvasObjects> canvas_objects;
  std::unique_ptr<BatchSource> batches;   // refers to the members above, so RunData stays put
  std::string description;                // for the log: "data/mnist: 4500 training images of 1x28x28"

  RunData() = default;
  RunData(const RunData&) = delete;
  RunData& operator=(const RunData&) = delete;
};

// Loads the training split and makes its batches (seeded by train.seed). Text needs the
// model's tokenizer and training window; a ConfigError names data.type when the model and the
// data do not fit together.
std::unique_ptr<RunData> load_run_data(const Config& config, const Model& model, const torch::Device& device);

// The held-out split as one Batch: test images and labels, or for text the validation tokens
// as tokens (1, N). `limit` > 0 keeps the first `limit` images (text: tokens).
Batch load_held_out(const Config& config, const Model& model, const torch::Device& device, int64_t limit = 0);

}  // namespace gencli
