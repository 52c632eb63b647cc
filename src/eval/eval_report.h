#pragma once
// What `gencli eval` prints: the family's own metrics, the likelihood table, the training
// run's energy report and the sample-quality suite, as aligned text or as one JSON object.
#include <nlohmann/json.hpp>

#include <string>

namespace gencli::eval {

struct EvalReport {
  std::string subject;      // the checkpoint, or the data folder of --real
  std::string model_type;   // empty for --real
  int64_t step = 0;
  std::string data_fingerprint;  // of the run's training data; empty: not recorded (older checkpoints)
  std::string precision = "fp32";  // what the forward passes computed in (--precision)
  nlohmann::json metrics;   // the family's evaluate(); "likelihood" rows inside, if any
  nlohmann::json energy;    // the run's energy report from the checkpoint (null: not recorded)
  nlohmann::json quality;   // eval::sample_quality (null without --features)

  nlohmann::json to_json() const;
  std::string to_text() const;
};

}  // namespace gencli::eval
