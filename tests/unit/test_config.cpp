#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/config.h"
#include "data/text_corpus.h"
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

namespace {

// A file in a fresh folder under the test's temporary directory.
std::string temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("gencli_test_config_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string file_error(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    load_config_file(path, overrides);
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string override_error(nlohmann::json j, const std::string& assignment) {
  try {
    apply_override(j, assignment);
    config_from_json(j);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const std::string kGanConfig = std::string(GENCLI_SOURCE_DIR) + "/configs/gan_mnist.json";

}  // namespace

TEST(Config, DeepNestingIsRefusedNamingTheFileAndDepth) {
  const std::string deep(70000, '[');
  const std::string path = write_temp("deep.json", R"({"model": {"type": "gan", "g_hidden": )" + deep + "}}");
  const std::string e = file_error(path);
  EXPECT_TRUE(contains(e, path)) << e;
  EXPECT_TRUE(contains(e, "model.g_hidden")) << e.substr(0, 300);
  EXPECT_TRUE(contains(e, "nested deeper than 64 levels")) << e.substr(0, 300);
  EXPECT_LT(e.size(), 400u);
  // Exactly the limit still parses (as JSON; the value is then the wrong type).
  const std::string ok = write_temp("deep_ok.json", std::string(kMaxConfigNesting, '[') +
                                                        std::string(kMaxConfigNesting, ']'));
  EXPECT_TRUE(contains(file_error(ok), "must be a JSON object")) << file_error(ok);

  const std::string set_error = override_error(gan(), "model.g_hidden=" + deep);
  EXPECT_TRUE(contains(set_error, "--set model.g_hidden=[[[")) << set_error.substr(0, 300);
  EXPECT_TRUE(contains(set_error, "nested deeper than 64 levels")) << set_error.substr(0, 300);
  EXPECT_LT(set_error.size(), 400u);
}

TEST(Config, EchoedValuesAreCut) {
  const std::string big(2000000, 'x');
  auto j = gan();
  j["optim"] = {{"name", big}};
  std::string e = config_error(j);
  EXPECT_TRUE(contains(e, "optim.name: expected one of")) << e.substr(0, 300);
  EXPECT_TRUE(contains(e, "… (2000000 bytes)")) << e.substr(0, 300);
  EXPECT_LT(e.size(), 300u);
  j = gan();
  j["name"] = nlohmann::json::array();
  for (int i = 0; i < 100000; ++i) j["name"].push_back(i);
  e = config_error(j);
  EXPECT_TRUE(contains(e, "… (100000 entries)")) << e.substr(0, 300);
  EXPECT_LT(e.size(), 300u);
  const std::string set_error = file_error(kGanConfig, {"optim.lr=" + big});
  EXPECT_LT(set_error.size(), 400u) << set_error.substr(0, 400);
  EXPECT_TRUE(contains(set_error, "--set optim.lr=xxx")) << set_error.substr(0, 400);
  EXPECT_TRUE(contains(set_error, "… (2000009 bytes): optim.lr: expected a number > 0, got \"xxx")) << set_error.substr(0, 400);
  EXPECT_TRUE(contains(set_error, "… (2000000 bytes)")) << set_error.substr(0, 400);

  EXPECT_EQ(config::echo(nlohmann::json({1, 2})), "[1,2]");
  EXPECT_EQ(config::echo("fast"), "\"fast\"");
  EXPECT_EQ(config::echo_text("a\nb"), "a\\nb");
  // A cut never splits a UTF-8 character.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xC3\xA9";
  for (int lead = 0; lead < 4; ++lead) {
    EXPECT_NO_THROW(nlohmann::json(config::echo(std::string(lead, 'a') + accents)).dump());
    EXPECT_NO_THROW(nlohmann::json(config::echo_text(std::string(lead, 'a') + accents)).dump());
  }
}

TEST(Config, NumberBeyondADoubleNamesFileKeyAndText) {
  const std::string path = write_temp("overflow.json", R"({"model": {"type": "gan"}, "optim": {"lr": 1e999}})");
  const std::string e = file_error(path);
  EXPECT_EQ(e, "config error: " + path + ": optim.lr: number overflow parsing '1e999' (beyond the range of a double)");
  const std::string set_error = override_error(gan(), "optim.lr=1e999");
  EXPECT_TRUE(contains(set_error, "--set optim.lr=1e999: number overflow parsing '1e999'")) << set_error;
}

TEST(Config, DirectoriesAndFifosAreNotConfigFiles) {
  const std::string dir = temp_path("a_folder");
  std::filesystem::create_directories(dir);
  EXPECT_EQ(file_error(dir), "config error: " + dir + ": is a directory, not a config file");
  const std::string fifo = temp_path("a_fifo");
  std::filesystem::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_TRUE(contains(file_error(fifo), fifo + ": is not a regular file")) << file_error(fifo);
}

TEST(Config, DuplicateKeysNameThePathAndFile) {
  const std::string path =
      write_temp("dup.json", R"({"model": {"type": "gan"}, "train": {"steps": 5, "batch_size": 2, "steps": 6}})");
  EXPECT_EQ(file_error(path), "config error: " + path + ": train.steps: key given twice in one object");
  const std::string top = write_temp("dup_top.json", R"({"name": "a", "model": {"type": "gan"}, "name": "b"})");
  EXPECT_EQ(file_error(top), "config error: " + top + ": name: key given twice in one object");
  const std::string in_list = write_temp("dup_list.json", R"({"x": [1, {"a": 1, "a": 2}]})");
  EXPECT_EQ(file_error(in_list), "config error: " + in_list + ": x[1].a: key given twice in one object");
  // The same key in sibling objects is fine.
  EXPECT_EQ(file_error(write_temp("siblings.json", R"({"model": {"type": "gan"}, "train": {"seed": 1}, "sample": {"seed": 1}})")),
            "(no error)");
  EXPECT_TRUE(contains(override_error(gan(), R"(optim={"lr": 1, "lr": 2})"), "--set optim={\"lr\": 1, \"lr\": 2}: lr: key given twice"))
      << override_error(gan(), R"(optim={"lr": 1, "lr": 2})");
}

TEST(Config, OverridePathsNeedEveryKey) {
  for (const char* bad : {"train.steps.=5", ".train.steps=5", "train..steps=5", "train.=5"}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(contains(override_error(gan(), bad), "--set " + std::string(bad) + ": empty key in the path"))
        << override_error(gan(), bad);
  }
}

TEST(Config, OverrideErrorsNameTheSetNotTheFile) {
  std::string e = file_error(kGanConfig, {"optim.lr=fast"});
  EXPECT_EQ(e, "config error: --set optim.lr=fast: optim.lr: expected a number > 0, got \"fast\" (config file " +
                   kGanConfig + ")");
  e = file_error(kGanConfig, {"bogus.x=1"});
  EXPECT_TRUE(contains(e, "config error: --set bogus.x=1: bogus: unknown section")) << e;
  e = file_error(kGanConfig, {"optim={\"lr\": -1}"});
  EXPECT_TRUE(contains(e, "config error: --set optim={\"lr\": -1}: optim.lr: expected a number > 0")) << e;
  // The last --set of a key is the one that counts.
  e = file_error(kGanConfig, {"train.steps=abc", "optim.lr=0.1", "train.steps=-1"});
  EXPECT_TRUE(contains(e, "config error: --set train.steps=-1: train.steps:")) << e;
  // A fault in the file stays the file's, --set or not.
  const std::string path = write_temp("bad_steps.json", R"({"model": {"type": "gan"}, "train": {"steps": 0}})");
  e = file_error(path, {"optim.lr=0.1", "train.seed=3"});
  EXPECT_EQ(e, "config error: " + path + ": train.steps: expected an integer >= 1, got 0");
}

TEST(Config, IntegersLaterNarrowedAreBounded) {
  auto j = gan();
  j["train"] = {{"threads", 3000000000LL}};
  EXPECT_EQ(config_error(j), "config error: train.threads: expected an integer in [0, 4096], got 3000000000");
  j["train"] = {{"intra_op_threads", 5000}};
  EXPECT_EQ(config_error(j), "config error: train.intra_op_threads: expected an integer in [0, 4096], got 5000");
  j = gan();
  j["data"] = {{"num_classes", 4294967306LL}};
  EXPECT_EQ(config_error(j), "config error: data.num_classes: expected an integer in [1, 1000000], got 4294967306");
  j = gan();
  j["train"] = {{"threads", 4096}};
  EXPECT_EQ(config_error(j), "(no error)");
}

TEST(Config, IntegersBeyond64BitsShowTheValueAsTyped) {
  EXPECT_EQ(override_error(gan(), "sample.seed=18446744073709551615"),
            "config error: sample.seed: expected an integer >= 0, got 18446744073709551615 (out of the range of a "
            "64-bit integer)");
  EXPECT_EQ(override_error(gan(), "sample.seed=9223372036854775807"), "(no error)");
  const std::string e = file_error(kGanConfig, {"sample.seed=18446744073709551616"});
  EXPECT_TRUE(contains(e, "--set sample.seed=18446744073709551616: sample.seed: expected an integer >= 0")) << e;
  EXPECT_TRUE(contains(e, "out of the range of a 64-bit integer")) << e;
}

TEST(Config, RunNameIsOnePlainFolderName) {
  for (const char* bad : {"../../../tmp/x", "a/b", "a\\b", ".", "..", ".hidden"}) {
    SCOPED_TRACE(bad);
    auto j = gan();
    j["name"] = bad;
    const std::string e = config_error(j);
    EXPECT_TRUE(contains(e, "config error: name: " + nlohmann::json(bad).dump() + " is not a plain folder name")) << e;
  }
  auto j = gan();
  j["name"] = "gan-mnist_2.v1";
  EXPECT_EQ(config_from_json(j).name, "gan-mnist_2.v1");
}

TEST(Config, TextDataPathThatIsADirectoryIsRefused) {
  const std::string dir = temp_path("text_folder");
  std::filesystem::create_directories(dir);
  try {
    read_text_file(dir);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), "data error: " + dir + ": is a directory, not a text file (data.path)");
  }
}
