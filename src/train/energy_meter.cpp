#include "train/energy_meter.h"

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "core/errors.h"


namespace gencli {

namespace fs = std::filesystem;

namespace {

double wall_seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool read_number(const std::string& path, double* value) {
  std::ifstream in(path);
  return static_cast<bool>(in >> *value);
}

std::string si(double value, const char* unit) {
  const char* prefixes[] = {"", "k", "M", "G", "T", "P", "E"};
  int i = 0;
  while (value >= 1000 && i < 6) value /= 1000, ++i;
  return fmt::format("{:.3g} {}{}", value, prefixes[i], unit);
}

}  // namespace

nlohmann::json EnergyTotals::to_json(const TrainConfig& config, const std::string& source) const {
  const double kwh = energy_j / 3.6e6;
  nlohmann::json j = {{"wall_s", wall_s},
          {"cpu_s", cpu_s},
          {"steps", steps},
          {"flops", flops},
          {"flops_counted", "matrix products and convolutions, forward and backward, counted on one step per session"},
          {"energy_j", energy_j},
          {"energy_kwh", kwh},
          {"energy_estimated", estimated},
          {"energy_source", source},
          {"grid_g_co2e_per_kwh", config.grid_g_co2e_per_kwh},
          {"co2e_g", kwh * config.grid_g_co2e_per_kwh}};
  if (unrecorded_steps > 0) j["unrecorded_steps"] = unrecorded_steps;  // the totals leave these out
  return j;
}

EnergyTotals EnergyTotals::from_json(const nlohmann::json& j) {
  EnergyTotals t;
  t.wall_s = j.value("wall_s", 0.0);
  t.cpu_s = j.value("cpu_s", 0.0);
  t.flops = j.value("flops", 0.0);
  t.energy_j = j.value("energy_j", 0.0);
  t.estimated = j.value("energy_estimated", true);
  t.steps = j.value("steps", int64_t{0});
  t.unrecorded_steps = j.value("unrecorded_steps", int64_t{0});
  return t;
}

EnergyTotals earlier_energy_totals(const nlohmann::json& report, const std::string& path, int64_t step) {
  if (!report.is_null()) {
    if (!report.is_object()) throw UserError("checkpoint error: " + path + ": unreadable energy report");
    return EnergyTotals::from_json(report);
  }
  EnergyTotals none;
  none.unrecorded_steps = step;
  if (step > 0)
    spdlog::warn("{} holds no energy report (saved by an older gencli): the report leaves out its {} steps", path, step);
  return none;
}

EnergyMeter::EnergyMeter(const TrainConfig& config, bool gpu, EnergyTotals earlier)
    : config_(config),
      gpu_(gpu),
      earlier_(earlier),
      cpu_start_(cpu_seconds_now()),
      wall_start_(wall_seconds_now()),
      last_sample_(wall_start_) {
  // Package zones only (intel-rapl:0, not the sub-zones intel-rapl:0:0), so nothing counts twice.
  const fs::path root = "/sys/class/powercap";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("intel-rapl:", 0) != 0 || name.find(':', 11) != std::string::npos) continue;
    RaplZone zone{(entry.path() / "energy_uj").string()};
    if (read_number(zone.energy_file, &zone.last_uj) &&
        read_number((entry.path() / "max_energy_range_uj").string(), &zone.max_uj))
      zones_.push_back(zone);
  }
}

double EnergyMeter::cpu_seconds_now() const {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void EnergyMeter::sample() {
  last_sample_ = wall_seconds_now();
  for (auto& zone : zones_) {
    double now = 0;
    if (!read_number(zone.energy_file, &now)) continue;
    double delta = now - zone.last_uj;
    if (delta < 0) delta += zone.max_uj;  // the counter wrapped around
    rapl_j_ += delta / 1e6;
    zone.last_uj = now;
  }
}

void EnergyMeter::add_steps(int64_t steps, double flops_per_step) {
  steps_ += steps;
  flops_ += steps * flops_per_step;
  // A package counter wraps after about 2^32 uJ (~1 h at 70 W): read it well before that.
  if (!zones_.empty() && wall_seconds_now() - last_sample_ > 10) sample();
}

EnergyTotals EnergyMeter::totals() {
  sample();
  EnergyTotals t = earlier_;
  const double wall = wall_seconds_now() - wall_start_, cpu = cpu_seconds_now() - cpu_start_;
  t.wall_s += wall;
  t.cpu_s += cpu;
  t.flops += flops_;
  t.steps += steps_;
  const bool measured = !zones_.empty();
  t.energy_j += (measured ? rapl_j_ : config_.cpu_watts_per_core * cpu) + (gpu_ ? config_.gpu_watts * wall : 0.0);
  const bool earlier_estimated = earlier_.wall_s > 0 && earlier_.estimated;
  t.estimated = earlier_estimated || !measured || gpu_;
  return t;
}

nlohmann::json EnergyMeter::report() {
  std::string source = zones_.empty()
                           ? fmt::format("estimated: {} W per busy CPU core x CPU time (train.cpu_watts_per_core; "
                                         "no readable RAPL counters in /sys/class/powercap)",
                                         config_.cpu_watts_per_core)
                           : "measured: RAPL package counters (the whole CPU package, other processes included)";
  if (gpu_) source += fmt::format("; GPU estimated at {} W x wall time (train.gpu_watts)", config_.gpu_watts);
  return totals().to_json(config_, source);
}

nlohmann::json EnergyMeter::running_totals() {
  const EnergyTotals t = totals();
  return {{"cpu_s", std::round(t.cpu_s * 1000) / 1000},
          {"flops", t.flops},
          {"energy_j", t.energy_j},
          {"co2e_g", t.energy_j / 3.6e6 * config_.grid_g_co2e_per_kwh}};
}

std::string EnergyMeter::summary() {
  const EnergyTotals t = totals();
  return fmt::format("energy {}{}, {:.3g} g CO2e, {}", si(t.energy_j, "J"), t.estimated ? " (estimated)" : "",
                     t.energy_j / 3.6e6 * config_.grid_g_co2e_per_kwh, si(t.flops, "FLOP"));
}

}  // namespace gencli
