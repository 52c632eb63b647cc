#pragma once
// What a training run cost: wall time, CPU time, the FLOPs of its steps, energy and CO2e.
// Energy is read from the RAPL counters in /sys/class/powercap where the kernel exposes them,
// and otherwise estimated from CPU time and a configured power per core (labelled "estimated").
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/config.h"

namespace gencli {

struct EnergyTotals {
  double wall_s = 0;
  double cpu_s = 0;
  double flops = 0;
  double energy_j = 0;
  bool estimated = true;   // false only when every part came from RAPL counters
  int64_t steps = 0;
  int64_t unrecorded_steps = 0;  // steps of earlier sessions whose checkpoint kept no energy report

  nlohmann::json to_json(const TrainConfig& config, const std::string& source) const;
  // Reads the totals of an earlier session of the run (a resumed checkpoint); missing keys are 0.
  static EnergyTotals from_json(const nlohmann::json& j);
};

// The totals of the report a checkpoint saved at `step` carries (TrainingState::energy). A
// checkpoint from before the energy report has none (null): its steps are counted as unrecorded
// (with a warning) rather than silently dropped.
EnergyTotals earlier_energy_totals(const nlohmann::json& report, const std::string& path, int64_t step);

class EnergyMeter {
 public:
  // `earlier`: the totals of the sessions before a resume. `gpu`: the run trains on a GPU,
  // whose draw is estimated from train.gpu_watts (RAPL covers only the CPU package).
  EnergyMeter(const TrainConfig& config, bool gpu, EnergyTotals earlier);

  // Reads the RAPL counters (add_steps does so every few seconds, so a wrapping counter is seen).
  void sample();
  // Adds the FLOPs of `steps` steps at `flops_per_step`.
  void add_steps(int64_t steps, double flops_per_step);
  // The run so far (all sessions) as JSON for metrics.jsonl, summary.json, checkpoints.
  nlohmann::json report();
  // The few cumulative numbers each metrics.jsonl line carries: cpu_s, flops, energy_j, co2e_g.
  nlohmann::json running_totals();
  // "1.32 kJ (estimated), 0.147 g CO2e, 1.2 TFLOP"
  std::string summary();
  EnergyTotals totals();

 private:
  struct RaplZone {
    std::string energy_file;
    double max_uj = 0;
    double last_uj = 0;
  };
  double cpu_seconds_now() const;

  TrainConfig config_;
  bool gpu_;
  EnergyTotals earlier_;
  std::vector<RaplZone> zones_;
  double rapl_j_ = 0;
  double flops_ = 0;
  int64_t steps_ = 0;
  double cpu_start_;
  double wall_start_;
  double last_sample_;
};

}  // namespace gencli
