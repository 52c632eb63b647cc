#pragma once
// A GPT as a Hugging Face GPT-2 folder, both ways (models/gpt/hugging_face.h holds the layout):
// `gencli sample/eval --checkpoint DIR` run a downloaded or saved GPT-2, and `gencli export
// --format hf` writes a gencli GPT that `transformers` loads with from_pretrained.
#include <string>

#include "train/checkpoint.h"
#include "train/safetensors_model.h"

namespace gencli {

// The model of a Hugging Face GPT-2 folder (config.json, model.safetensors, vocab.json,
// merges.txt). Its sha256 is model.safetensors'. DataError naming the file at fault.
LoadedModel load_hugging_face_model(const std::string& dir, const torch::Device& device);

// Writes `loaded` (a GPT of arch gpt2, biases on, no adapters) into the folder `dir`: config.json,
// model.safetensors and, for the gpt2-bpe tokenizer, vocab.json and merges.txt. Each file is
// written atomically. UserError when the model is not one GPT-2 can express.
void export_hugging_face(const LoadedModel& loaded, const std::string& dir, const SafetensorsExport& options);

}  // namespace gencli
