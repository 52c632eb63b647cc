// `gencli tokenize`: a text model's tokenizer and logits from the command line, so a user (or a
// test) can hold them against another implementation's: the ids of a text as a JSON array and,
// with --logits, the model's next-token logits at every position as a .npy array (T, vocab).
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "core/errors.h"
#include "data/byte_bpe.h"
#include "data/text_corpus.h"
#include "io/atomic_file.h"
#include "io/npy.h"
#include "models/gpt/gpt_model.h"
#include "train/checkpoint.h"

namespace gencli::cli {

namespace {

struct TokenizeOptions {
  std::string checkpoint, tokenizer_dir, text, file, logits;
};

// --tokenizer-dir: GPT-2's byte-level BPE from a folder's vocab.json and merges.txt, no model.
std::vector<int64_t> bpe_ids(const std::string& dir, const std::string& text, const std::string& what) {
  const std::filesystem::path d(dir);
  const ByteBpe bpe(read_file_bytes((d / "vocab.json").string()), read_file_bytes((d / "merges.txt").string()), dir);
  return bpe.encode(text, what);
}

void run_tokenize(const TokenizeOptions& o) {
  if (o.text.empty() == o.file.empty()) throw UserError("tokenize: give the text with --text or --file (one of them)");
  if (o.checkpoint.empty() == o.tokenizer_dir.empty())
    throw UserError("tokenize: name the model with --checkpoint or a BPE folder with --tokenizer-dir (one of them)");
  if (!o.tokenizer_dir.empty() && !o.logits.empty()) throw UserError("--logits: needs a model (--checkpoint)");
  const std::string text = o.file.empty() ? o.text : read_text_file(o.file);
  const std::string what = o.file.empty() ? "--text" : o.file;
  if (!o.tokenizer_dir.empty()) {
    std::printf("%s\n", nlohmann::json(bpe_ids(o.tokenizer_dir, text, what)).dump().c_str());
    return;
  }
  LoadedModel loaded = load_model(o.checkpoint, torch::kCPU);
  const Tokenizer* tokenizer = loaded.model->text_input().tokenizer;
  if (!tokenizer) throw UserError("--checkpoint " + o.checkpoint + ": a " + loaded.config.model_type() + " model reads no text");
  const std::vector<int64_t> ids = tokenizer->encode(text, what);
  std::printf("%s\n", nlohmann::json(ids).dump().c_str());
  if (o.logits.empty()) return;
  auto* gpt = dynamic_cast<gpt::GptModel*>(loaded.model.get());
  if (!gpt) throw UserError("--logits: only for GPT models");
  if (ids.empty() || static_cast<int64_t>(ids.size()) > gpt->config().block_size)
    throw UserError("--logits: the text is " + std::to_string(ids.size()) + " tokens; it must be 1 to block_size (" +
                    std::to_string(gpt->config().block_size) + ")");
  torch::NoGradGuard no_grad;
  gpt->eval();
  torch::Tensor logits = gpt->network->forward(torch::tensor(ids, torch::kLong).view({1, -1})).squeeze(0).contiguous();
  npy::write_float32(o.logits, {logits.size(0), logits.size(1)}, logits.data_ptr<float>());
  spdlog::info("{} tokens; logits ({}, {}) written to {}", ids.size(), logits.size(0), logits.size(1), o.logits);
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
  auto o = std::make_shared<TokenizeOptions>();
  CLI::App* cmd = app.add_subcommand("tokenize", "a text model's token ids for a text (and its logits, with --logits)");
  cmd->add_option("--checkpoint", o->checkpoint, "a text model: checkpoint, .safetensors, or a Hugging Face GPT-2 folder");
  cmd->add_option("--tokenizer-dir", o->tokenizer_dir, "instead of a model: a folder with vocab.json and merges.txt (GPT-2's BPE)");
  cmd->add_option("--text", o->text, "the text to encode");
  cmd->add_option("--file", o->file, "a UTF-8 file to encode");
  cmd->add_option("--logits", o->logits, "GPT: also write the next-token logits at each position, a .npy array (T, vocab)");
  cmd->callback([o] { run_tokenize(*o); });
}

}  // namespace gencli::cli
