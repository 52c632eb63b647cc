// The GPT family: tokenizers, causality, the three attention modes, cached generation against
// recomputation, the draw (greedy, top-k, top-p) and LoRA (a no-op at the start, merge, a
// frozen base).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/errors.h"
#include "data/text_corpus.h"
#include "data/tokenizer.h"
#include "models/categorical_draw.h"
#include "models/gpt/attention.h"
#include "models/gpt/gpt_model.h"
#include "step_fixtures.h"

using namespace gencli;
using namespace gencli::gpt;

namespace {

GptConfig small_config(const std::string& attention = "naive") {
  GptConfig c;
  c.tokenizer = "byte";
  c.n_layer = 2;
  c.n_head = 2;
  c.n_embd = 16;
  c.block_size = 16;
  c.attention = attention;
  c.attention_chunk = 5;
  return c;
}

torch::Tensor random_tokens(int64_t b, int64_t t, uint64_t seed) {
  torch::Generator g = at::detail::createCPUGenerator(seed);
  return torch::randint(256, {b, t}, g, torch::kLong);
}

}  // namespace

TEST(Tokenizer, CharVocabularyRoundTripsAndNamesUnknownCharacters) {
  const std::string text = "héllo wörld\n";
  const std::string vocabulary = vocabulary_of(text, "t");
  EXPECT_EQ(vocabulary, "\n dhlorwéö");
  Tokenizer t = Tokenizer::chars(vocabulary);
  EXPECT_EQ(t.size(), 10);
  EXPECT_EQ(t.decode(t.encode(text, "t")), text);
  try {
    t.encode("hxo", "--prompt");
    FAIL() << "no error for the x";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("--prompt"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("\"x\""), std::string::npos);
  }
  EXPECT_THROW(vocabulary_of(std::string("ab\xff"), "t"), DataError);
  Tokenizer bytes = Tokenizer::bytes();
  EXPECT_EQ(bytes.encode("é", "t"), (std::vector<int64_t>{0xC3, 0xA9}));
}

// Changing token j leaves the logits of every position before j exactly as they were.
TEST(Gpt, ChangingATokenNeverChangesEarlierLogits) {
  for (const std::string mode : {"naive", "chunked", "sdpa"}) {
    GptNetwork net(small_config(mode), 256);
    net->eval();
    torch::NoGradGuard no_grad;
    torch::Tensor tokens = random_tokens(1, 16, 1);
    torch::Tensor before = net->forward(tokens);
    for (int64_t j : {0, 7, 15}) {
      torch::Tensor changed = tokens.clone();
      changed[0][j] = (changed[0][j].item<int64_t>() + 1) % 256;
      torch::Tensor after = net->forward(changed);
      EXPECT_TRUE(torch::equal(after.slice(1, 0, j), before.slice(1, 0, j))) << mode << " j = " << j;
      EXPECT_FALSE(torch::allclose(after.select(1, j), before.select(1, j))) << mode << " j = " << j;
    }
  }
}

// The blockwise running softmax gives the full softmax's result for chunk sizes that do and do
// not divide the length, with and without cached keys before the queries.
TEST(Attention, ChunkedAndSdpaEqualNaive) {
  torch::manual_seed(3);
  for (int64_t tk : {1, 7, 16, 33}) {
    for (int64_t tq : {tk, int64_t{1}, (tk + 1) / 2}) {
      torch::Tensor q = torch::randn({2, 3, tq, 8}), k = torch::randn({2, 3, tk, 8}), v = torch::randn({2, 3, tk, 8});
      torch::Tensor reference = naive_attention(q, k, v);
      for (int64_t chunk : {1, 4, 5, 16, 64})
        EXPECT_TRUE(torch::allclose(chunked_attention(q, k, v, chunk), reference, 1e-5, 1e-6))
            << "tq " << tq << " tk " << tk << " chunk " << chunk;
      EXPECT_TRUE(torch::allclose(sdpa_attention(q, k, v), reference, 1e-5, 1e-6)) << "tq " << tq << " tk " << tk;
    }
  }
}

// Generation with the key/value cache draws the same tokens as recomputing the context, greedy
// and seeded, well past block_size (where the context drops its older half).
TEST(Gpt, CachedGenerationEqualsRecomputation) {
  for (const std::string mode : {"naive", "chunked"}) {
    GptModel model(small_config(mode));
    model.eval();
    const std::vector<int64_t> prompt = {72, 101, 108, 108, 111};
    for (double temperature : {0.0, 1.0}) {
      TextRequest r;
      r.max_new_tokens = 40;
      r.temperature = temperature;
      r.top_k = 50;
      r.generator = at::detail::createCPUGenerator(5);
      const std::vector<int64_t> cached = model.generate(prompt, r);
      r.use_cache = false;
      r.generator = at::detail::createCPUGenerator(5);
      const std::vector<int64_t> recomputed = model.generate(prompt, r);
      EXPECT_EQ(cached, recomputed) << mode << " temperature " << temperature;
      EXPECT_EQ(cached.size(), 40u);
    }
  }
}

// Cached decoding takes matrix-vector products (models/gpt/matvec.h) where training and the
// uncached path take matrix products: the logits of one position agree either way, with a
// cache whose buffers are written in place.
TEST(Gpt, OnePositionThroughTheCacheGivesTheLogitsOfTheWholeSequence) {
  GptConfig c = small_config("naive");
  c.arch = "gpt2";
  c.bias = true;
  GptModel model(c);
  model.eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor tokens = torch::tensor(std::vector<int64_t>{72, 101, 108, 108, 111, 33}, torch::kLong).view({1, -1});
  const torch::Tensor whole = model.network->forward(tokens);  // matrix products, every position
  KvCache cache;
  for (int64_t t = 0; t < tokens.size(1); ++t) {
    const torch::Tensor one = model.network->forward(tokens.narrow(1, t, 1), &cache);
    EXPECT_TRUE(torch::allclose(one.select(1, 0), whole.select(1, t), 1e-5, 1e-5)) << "position " << t;
  }
  EXPECT_EQ(cache.length, tokens.size(1));
}

TEST(Gpt, TemperatureTowardZeroIsGreedy) {
  GptModel model(small_config());
  model.eval();
  TextRequest greedy;
  greedy.max_new_tokens = 20;
  greedy.temperature = 0;
  TextRequest cold = greedy;
  cold.temperature = 1e-6;
  cold.generator = at::detail::createCPUGenerator(9);
  EXPECT_EQ(model.generate({1, 2, 3}, greedy), model.generate({1, 2, 3}, cold));
}

TEST(Sampling, TopKKeepsExactlyKAndTopPTheSmallestNucleus) {
  torch::manual_seed(4);
  torch::Tensor logits = torch::randn({3, 50});
  for (int64_t k : {1, 5, 49}) {
    torch::Tensor kept = torch::isfinite(filter_logits(logits, k, 1.0)).sum(-1);
    EXPECT_TRUE(torch::equal(kept, torch::full({3}, k, torch::kLong))) << k;
  }
  // Probabilities 0.5, 0.3, 0.15, 0.05: top_p 0.7 keeps the first two, 0.8 still two (they
  // reach 0.8), 0.81 three; the most likely token survives any top_p.
  torch::Tensor p = torch::log(torch::tensor({{0.15, 0.5, 0.05, 0.3}}));
  auto kept = [&](double top_p) { return torch::isfinite(filter_logits(p, 0, top_p)).to(torch::kLong); };
  EXPECT_TRUE(torch::equal(kept(0.7), torch::tensor({{0, 1, 0, 1}})));
  EXPECT_TRUE(torch::equal(kept(0.79), torch::tensor({{0, 1, 0, 1}})));
  EXPECT_TRUE(torch::equal(kept(0.81), torch::tensor({{1, 1, 0, 1}})));
  EXPECT_TRUE(torch::equal(kept(0.01), torch::tensor({{0, 1, 0, 0}})));
}

TEST(Gpt, TrainingLowersTheLossAndValidationCountsEveryToken) {
  torch::manual_seed(2);
  auto model = std::make_shared<GptModel>(small_config());
  // A repeating sentence: easy to learn.
  std::vector<int64_t> ids;
  const std::string sentence = "the cat sat on the mat. ";
  for (int r = 0; r < 40; ++r)
    for (char ch : sentence) ids.push_back(static_cast<unsigned char>(ch));
  torch::Tensor stream = torch::tensor(ids, torch::kLong);
  std::vector<torch::Tensor> windows;
  for (int64_t s = 0; s + 17 <= stream.size(0); s += 5) windows.push_back(stream.slice(0, s, s + 17));
  // Cycles through the windows, 8 at a time, as Batch::tokens.
  struct Windows : BatchSource {
    torch::Tensor all;
    int64_t cursor = 0;
    Batch next() override {
      if (cursor + 8 > all.size(0)) cursor = 0;
      Batch b;
      b.tokens = all.slice(0, cursor, cursor + 8);
      cursor += 8;
      return b;
    }
  } token_batches;
  token_batches.all = torch::stack(windows);
  fixtures::AdamFor optim(model->parameters(), 3e-3);
  StepContext ctx;
  ctx.batches = &token_batches;
  ctx.optimizers = &optim;
  const double first = model->validation_nats(stream.unsqueeze(0));
  EXPECT_NEAR(first, std::log(256.0), 0.5);
  for (int64_t step = 0; step < 80; ++step) model->train_step(ctx);
  EXPECT_LT(model->validation_nats(stream.unsqueeze(0)), first / 3);
}

TEST(Lora, FreshAdaptersChangeNothingMergingKeepsOutputsAndOnlyAdaptersTrain) {
  torch::manual_seed(1);
  GptConfig base_config = small_config();
  GptModel base(base_config);
  GptConfig lora_config = base_config;
  lora_config.lora_rank = 4;
  lora_config.lora_targets = "attention,mlp";
  GptModel adapted(lora_config);
  // Copy the base weights by name (what init.from does).
  {
    torch::NoGradGuard no_grad;
    auto base_params = base.named_parameters();
    for (auto& item : adapted.named_parameters())
      if (!is_adapter_parameter(item.key())) item.value().copy_(base_params[item.key()]);
  }
  base.eval();
  adapted.eval();
  torch::Tensor tokens = random_tokens(2, 16, 3);
  torch::NoGradGuard outer;
  EXPECT_TRUE(torch::equal(adapted.network->forward(tokens), base.network->forward(tokens)));

  // Train the adapters a few steps: the base weights must not move, the adapters must.
  std::map<std::string, torch::Tensor> before;
  for (auto& item : adapted.named_parameters()) before[item.key()] = item.value().clone();
  EXPECT_LT(adapted.parameter_count(true), adapted.parameter_count(false) / 4);
  {
    torch::GradMode::set_enabled(true);
    adapted.train();
    fixtures::AdamFor optim(adapted.optimized_parts()[0].parameters, 1e-2);
    for (int step = 0; step < 5; ++step) {
      optim.zero_grad("");
      adapted.loss(random_tokens(4, 17, 10 + step)).backward();
      optim.update("");
    }
    adapted.eval();
    torch::GradMode::set_enabled(false);
  }
  bool adapters_moved = false;
  for (auto& item : adapted.named_parameters()) {
    const bool same = torch::equal(item.value(), before[item.key()]);
    if (is_adapter_parameter(item.key()))
      adapters_moved |= !same;
    else
      EXPECT_TRUE(same) << item.key() << " changed during LoRA training";
  }
  EXPECT_TRUE(adapters_moved);
  torch::Tensor unmerged = adapted.network->forward(tokens);
  EXPECT_FALSE(torch::allclose(unmerged, base.network->forward(tokens)));
  adapted.merge_adapters();
  EXPECT_TRUE(torch::allclose(adapted.network->forward(tokens), unmerged, 1e-4, 1e-5));
}

TEST(TextCorpus, SplitsAtTheFractionAndWindowsResumeExactly) {
  const std::string path = ::testing::TempDir() + "/corpus.txt";
  {
    std::ofstream out(path);
    for (int i = 0; i < 100; ++i) out << "0123456789";
  }
  DataConfig c;
  c.type = "text";
  c.path = path;
  c.test_fraction = 0.1;
  Tokenizer t = Tokenizer::chars("0123456789");
  TextSplits splits = load_text_splits(c, t, 9, torch::kCPU);
  EXPECT_EQ(splits.train.size(0), 900);
  EXPECT_EQ(splits.val.size(0), 100);
  EXPECT_EQ(splits.val[0].item<int64_t>(), 0);  // the split falls on a "0"

  TextWindows a(splits.train, 4, 9, 7);
  a.next();
  torch::serialize::OutputArchive saved;
  a.save(saved);
  std::stringstream bytes;
  saved.save_to(bytes);
  torch::Tensor expected = a.next().tokens;
  EXPECT_EQ(expected.sizes(), torch::IntArrayRef({4, 9}));
  // Consecutive tokens within each window.
  EXPECT_TRUE(torch::equal((expected.slice(1, 1) - expected.slice(1, 0, -1)).remainder(10), torch::ones({4, 8}, torch::kLong)));
  TextWindows b(splits.train, 4, 9, 999);
  torch::serialize::InputArchive restored;
  restored.load_from(bytes);
  b.load(restored);
  EXPECT_TRUE(torch::equal(b.next().tokens, expected));

  c.test_fraction = 0.005;  // 5 validation tokens: less than one window
  EXPECT_THROW(load_text_splits(c, t, 9, torch::kCPU), DataError);
  c.path = path + ".missing";
  EXPECT_THROW(load_text_splits(c, t, 9, torch::kCPU), DataError);
}

TEST(Tokenizer, RejectsOverlongSurrogateAndOutOfRangeUtf8) {
  for (const std::string bad : {std::string("\xC0\xAF"), std::string("\xE0\x80\xAF"), std::string("\xED\xA0\x80"),
                                std::string("\xF4\x90\x80\x80"), std::string("\xE2\x82")}) {
    EXPECT_THROW(decode_utf8(bad, "t"), DataError) << bad.size();
  }
  EXPECT_EQ(decode_utf8("\xF0\x9F\x98\x80", "t"), (std::vector<char32_t>{0x1F600}));
}

// A draw never returns a token whose logit is -inf, whatever the uniform number.
TEST(Sampling, FilteredTokensAreNeverDrawn) {
  torch::Tensor logits = torch::zeros({20000, 5});
  logits.select(1, 4).fill_(-std::numeric_limits<float>::infinity());
  logits.select(1, 0).fill_(-std::numeric_limits<float>::infinity());
  torch::Tensor drawn = draw_categorical(logits, 1.0, at::detail::createCPUGenerator(1));
  EXPECT_EQ((drawn == 4).sum().item<int64_t>(), 0);
  EXPECT_EQ((drawn == 0).sum().item<int64_t>(), 0);
  EXPECT_GT((drawn == 3).sum().item<int64_t>(), 5000);
}

// Dropout is switched off while generating, so cached and recomputed generation agree even for
// a model trained with dropout, and the model's mode is restored afterwards.
TEST(Gpt, GenerationTurnsDropoutOff) {
  GptConfig c = small_config();
  c.dropout = 0.5;
  GptModel model(c);
  model.train();
  TextRequest r;
  r.max_new_tokens = 20;
  r.temperature = 0;
  const auto cached = model.generate({5, 6, 7}, r);
  r.use_cache = false;
  EXPECT_EQ(model.generate({5, 6, 7}, r), cached);
  EXPECT_TRUE(model.is_training());
}
