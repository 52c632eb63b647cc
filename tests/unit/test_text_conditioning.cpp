// Text conditioning of the diffusion U-Net: prompts become bytes (or BPE tokens) after a start token, padding is
// invisible to the network, guidance 0 is exactly the empty prompt's prediction and 1 the
// prompt's, a negative prompt takes the empty prompt's place, and a text-conditional model
// refuses to sample without prompts.
#include <gtest/gtest.h>

#include "core/errors.h"
#include "models/diffusion/diffusion_model.h"
#include "models/diffusion/text_encoder.h"
#include "models/registry.h"

using namespace gencli;
using namespace gencli::diffusion;

namespace {

torch::Generator prompt_gen(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

DiffusionConfig text_config() {
  DiffusionConfig c;
  c.image_size = 8;
  c.base_channels = 8;
  c.channel_mult = {1, 2};
  c.groups = 4;
  c.timesteps = 20;
  c.text_conditional = true;
  c.text_width = 16;
  c.text_heads = 4;
  c.text_layers = 1;
  c.text_max_tokens = 24;
  c.cross_attention_levels = {0, 1};
  return c;
}

PromptTokens tokenize_prompts(const std::vector<std::string>& prompts, const std::string& what) {
  return PromptTokenizer(text_config()).tokenize(prompts, what);
}

}  // namespace

TEST(TextConditioning, PromptsAreBytesAfterAStartToken) {
  PromptTokens t = tokenize_prompts({"ab", ""}, "--prompt");
  ASSERT_EQ(t.ids.sizes(), (std::vector<int64_t>{2, 3}));  // the longest prompt and the start token
  EXPECT_EQ(t.ids[0][0].item<int64_t>(), 256);
  EXPECT_EQ(t.ids[0][1].item<int64_t>(), 'a');
  EXPECT_EQ(t.ids[0][2].item<int64_t>(), 'b');
  EXPECT_FALSE(t.padding[1][0].item<bool>());  // the empty prompt is the start token alone
  EXPECT_TRUE(t.padding[1][1].item<bool>());
  try {
    tokenize_prompts({std::string(30, 'x')}, "--prompt");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("model.text_max_tokens"), std::string::npos) << e.what();
  }
}

TEST(TextConditioning, PaddingIsInvisibleAndGuidanceMixesPromptAndEmpty) {
  torch::manual_seed(1);
  DiffusionModel model(text_config(), 10);
  model.eval();
  torch::NoGradGuard no_grad;
  torch::Tensor x = torch::randn({2, 1, 8, 8}, prompt_gen(2));
  torch::Tensor steps = torch::full({2}, 7, torch::kLong);
  const PromptTokens prompt = tokenize_prompts({"a 3 above a 5", "two 1s"}, "p");
  const PromptTokens empty = tokenize_prompts({"", ""}, "p");
  torch::Tensor c = model.denoiser->forward(x, steps, {}, &prompt);
  torch::Tensor u = model.denoiser->forward(x, steps, {}, &empty);
  EXPECT_FALSE(torch::allclose(c, u));  // the prompt reaches the output

  // The same prompts padded further: the masked tokens change nothing.
  const PromptTokens padded = concat(prompt, tokenize_prompts({std::string(20, 'z')}, "p"));
  torch::Tensor c_padded = model.denoiser->forward(torch::cat({x, x.slice(0, 0, 1)}), torch::cat({steps, steps.slice(0, 0, 1)}),
                                                   {}, &padded);
  EXPECT_TRUE(torch::allclose(c_padded.slice(0, 0, 2), c, 1e-5, 1e-6));

  PromptGuidance text{prompt, empty};
  EXPECT_TRUE(torch::allclose(model.guided_output(model.denoiser, x, 7, {}, 0.0, &text), u, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(model.guided_output(model.denoiser, x, 7, {}, 1.0, &text), c, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(model.guided_output(model.denoiser, x, 7, {}, 3.0, &text), u + 3 * (c - u), 1e-4, 1e-5));

  // A negative prompt is the other half of guidance.
  const PromptGuidance negative = model.prompt_guidance({"a 3 above a 5", "two 1s"}, "an empty canvas", 2, torch::kCPU);
  const PromptTokens neg = tokenize_prompts({"an empty canvas", "an empty canvas"}, "p");
  torch::Tensor n = model.denoiser->forward(x, steps, {}, &neg);
  EXPECT_TRUE(torch::allclose(model.guided_output(model.denoiser, x, 7, {}, 0.0, &negative), n, 1e-5, 1e-6));
}

TEST(TextConditioning, SamplingNeedsPromptsOneOrOnePerSample) {
  torch::manual_seed(2);
  DiffusionModel model(text_config(), 10);
  SampleRequest r;
  r.num = 3;
  r.sampler = "ddim";
  r.steps = 2;
  r.generator = prompt_gen(3);
  EXPECT_THROW(model.sample(r), UserError);
  r.prompts = {"a 1 in the top left", "a 2 in the top left"};
  EXPECT_THROW(model.sample(r), UserError);
  r.prompts = {"a 1 in the top left"};
  EXPECT_EQ(model.sample(r).sizes(), (std::vector<int64_t>{3, 1, 8, 8}));
  EXPECT_TRUE(model.capabilities().reads.prompts);
}

TEST(TextConditioning, ABpeTrainedOnTheCaptionsMakesWordsSingleTokens) {
  // What `gencli train` does for model.text_tokenizer "bpe" on canvas data: the BPE is trained on
  // the grammar's prompts and kept in the config.
  Config config;
  config.data.type = "canvas";
  config.data.num_classes = 10;
  config.data.held_out = {"a 3 in the bottom right"};
  config.model = {{"type", "diffusion"}, {"text_conditional", true}, {"text_tokenizer", "bpe"}};
  models::family("diffusion").complete_config(config);
  ASSERT_FALSE(config.model.value("text_bpe_vocab", "").empty());
  ASSERT_FALSE(config.model.value("text_bpe_merges", "").empty());

  DiffusionConfig c = text_config();
  c.text_tokenizer = "bpe";
  c.text_bpe_vocab = config.model["text_bpe_vocab"];
  c.text_bpe_merges = config.model["text_bpe_merges"];
  const PromptTokenizer bpe(c);
  EXPECT_GT(bpe.vocabulary(), 256 + 2);
  // "a", " 3", " above", " a", " 7" and the start token: one token per word.
  EXPECT_EQ(bpe.tokenize({"a 3 above a 7"}, "p").ids.size(1), 6);
  const std::string list = "a 1 in the top left, a 2 in the top right and a 3 in the bottom left";
  EXPECT_LE(bpe.tokenize({list}, "p").ids.size(1), 1 + 20);
  DiffusionConfig bytes = text_config();
  bytes.text_max_tokens = 128;
  EXPECT_EQ(PromptTokenizer(bytes).tokenize({list}, "p").ids.size(1), 1 + static_cast<int64_t>(list.size()));

  // A text-conditional model with it trains and guides as with bytes.
  torch::manual_seed(3);
  DiffusionModel model(c, 10);
  const PromptGuidance g = model.prompt_guidance({"a 3 above a 7"}, "", 2, torch::kCPU);
  EXPECT_EQ(g.prompt.ids[0][0].item<int64_t>(), bpe.start_token());
  torch::Tensor x = torch::randn({2, 1, 8, 8}, prompt_gen(4));
  EXPECT_EQ(model.guided_output(model.denoiser, x, 5, {}, 3.0, &g).sizes(), x.sizes());

  // Without its vocabulary the tokenizer is refused, naming the key; a model that reads no
  // prompts never needs one.
  c.text_bpe_vocab.clear();
  DiffusionConfig unconditional = c;
  unconditional.text_conditional = false;
  unconditional.cross_attention_levels.clear();
  EXPECT_NO_THROW(DiffusionModel(unconditional, 10));
  try {
    PromptTokenizer{c};
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model.text_bpe_vocab"), std::string::npos) << e.what();
  }
}
