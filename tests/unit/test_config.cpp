#include <gtest/gtest.h>

#include <filesystem>

#include "core/config.h"
#include "models/config_loading.h"
#include "core/errors.h"

using namespace gencli;

namespace {

std::string config_error(const nlohmann::json& j) {
  try {
    config_from_json(j);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

nlohmann::json gan() { return {{"model", {{"type", "gan"}}}}; }

}  // namespace

TEST(Config, DefaultsAreTheClassicMlpGan) {
  Config c = config_from_json(gan());
  EXPECT_EQ(c.model["arch"], "mlp");
  EXPECT_EQ(c.model["latent_dim"], 100);
  EXPECT_EQ(c.model["g_hidden"], nlohmann::json({256, 512}));
  EXPECT_EQ(c.model["d_hidden"], nlohmann::json({512, 256}));
  EXPECT_DOUBLE_EQ(c.model["leaky_slope"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(c.optim.lr, 2e-4);
  EXPECT_EQ(c.train.batch_size, 64);
}

TEST(Config, WrongTypeNamesPathExpectationAndValue) {
  auto j = gan();
  j["optim"] = {{"lr", "fast"}};
  EXPECT_EQ(config_error(j), "config error: optim.lr: expected a number > 0, got \"fast\"");
}

TEST(Config, OutOfRangeValueIsAnError) {
  auto j = gan();
  j["train"] = {{"steps", -5}};
  EXPECT_EQ(config_error(j), "config error: train.steps: expected an integer >= 1, got -5");
  j["train"] = {{"steps", 2.5}};
  EXPECT_EQ(config_error(j), "config error: train.steps: expected an integer >= 1, got 2.5");
}

TEST(Config, UnknownKeysAndSectionsAreErrors) {
  auto j = gan();
  j["optim"] = {{"lrr", 0.1}};
  EXPECT_NE(config_error(j).find("optim.lrr: unknown key"), std::string::npos) << config_error(j);
  j = gan();
  j["trainer"] = nlohmann::json::object();
  EXPECT_NE(config_error(j).find("trainer: unknown section"), std::string::npos);
  j = gan();
  j["model"]["hidden"] = 3;
  EXPECT_NE(config_error(j).find("model.hidden: unknown key"), std::string::npos);
}

TEST(Config, UnknownModelTypeListsKnownTypes) {
  std::string e = config_error({{"model", {{"type", "nope"}}}});
  EXPECT_NE(e.find("model.type"), std::string::npos);
  EXPECT_NE(e.find("gan"), std::string::npos);
  EXPECT_NE(e.find("linreg"), std::string::npos);
}

TEST(Config, EnumValuesAreChecked) {
  auto j = gan();
  j["model"]["loss"] = "lsgan";
  EXPECT_NE(config_error(j).find("model.loss: expected one of \"bce\""), std::string::npos) << config_error(j);
}

TEST(Config, OverridesSetNumbersStringsAndNestedKeys) {
  nlohmann::json j = gan();
  apply_override(j, "optim.lr=1e-4");
  apply_override(j, "optim.name=sgd");
  apply_override(j, "model.g_hidden=[64,128]");
  Config c = config_from_json(j);
  EXPECT_DOUBLE_EQ(c.optim.lr, 1e-4);
  EXPECT_EQ(c.optim.name, "sgd");
  EXPECT_EQ(c.model["g_hidden"], nlohmann::json({64, 128}));

  apply_override(j, "train.steps=abc");  // a string where an integer belongs
  EXPECT_EQ(config_error(j), "config error: train.steps: expected an integer >= 1, got \"abc\"");
  EXPECT_THROW(apply_override(j, "novalue"), ConfigError);
}

TEST(Config, RoundTripsThroughJson) {
  auto j = gan();
  j["optim"] = {{"name", "lamb"}, {"schedule", "warmup_cosine"}, {"warmup_steps", 10}};
  Config a = config_from_json(j);
  Config b = config_from_json(config_to_json(a));
  EXPECT_EQ(config_to_json(a), config_to_json(b));
}

TEST(Config, EveryShippedConfigLoads) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(GENCLI_SOURCE_DIR) + "/configs")) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW(load_config_file(entry.path().string()));
    ++count;
  }
  EXPECT_GE(count, 3);
}

TEST(Config, FileErrorsNameTheFile) {
  try {
    load_config_file("/nonexistent/x.json");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/x.json"), std::string::npos);
  }
}
