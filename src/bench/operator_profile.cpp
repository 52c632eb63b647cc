#include "bench/operator_profile.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <unordered_map>

#include "core/errors.h"
#include "io/atomic_file.h"

namespace gencli::bench {
namespace {

namespace legacy = torch::autograd::profiler;
using legacy::LegacyEvent;

struct OpenRange {
  const LegacyEvent* push;
  double children_us = 0;  // time of the ranges opened directly inside this one
};

// Adds one thread's ranges to `sums`. Ranges nest on a thread; a pop closes the range its push
// opened (same handle), and any range left open inside it (an exception unwound it) closes too.
// Returns the time of the thread's outermost ranges.
double add_thread(const std::vector<LegacyEvent>& events, std::map<std::string, OperatorTime>& sums) {
  std::vector<OpenRange> open;
  std::unordered_map<std::string, int> open_by_name;  // a recursive call's total is counted once
  double outermost_us = 0;
  for (const LegacyEvent& e : events) {
    if (e.kind() == legacy::EventKind::PushRange) {
      open.push_back({&e});
      ++open_by_name[e.name()];
      continue;
    }
    if (e.kind() != legacy::EventKind::PopRange) continue;  // marks, memory events
    auto match = std::find_if(open.rbegin(), open.rend(),
                              [&](const OpenRange& r) { return r.push->handle() == e.handle(); });
    if (match == open.rend()) continue;  // opened before recording started
    while (!open.empty()) {
      const OpenRange range = open.back();
      open.pop_back();
      const std::string name = range.push->name();
      const double total_us = range.push->cpuElapsedUs(e);
      OperatorTime& sum = sums[name];
      sum.name = name;
      ++sum.calls;
      sum.self_ms += std::max(0.0, total_us - range.children_us) / 1e3;
      if (--open_by_name[name] == 0) sum.total_ms += total_us / 1e3;
      if (open.empty())
        outermost_us += total_us;
      else
        open.back().children_us += total_us;
      if (range.push->handle() == e.handle()) break;
    }
  }
  return outermost_us;
}

// The thread that called start() holds the start and stop marks: its recorded time is compared
// with its outermost ranges.
const LegacyEvent* find_mark(const std::vector<LegacyEvent>& events, const char* mark) {
  for (const LegacyEvent& e : events)
    if (e.kind() == legacy::EventKind::Mark && std::string(e.name()) == mark) return &e;
  return nullptr;
}

}  // namespace

void OperatorProfiler::start() {
  if (running_) throw std::logic_error("OperatorProfiler::start: already recording");
  legacy::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
  running_ = true;
}

OperatorProfile OperatorProfiler::finish(const std::string& trace_path) {
  if (!running_) throw std::logic_error("OperatorProfiler::finish: not recording");
  running_ = false;
  const legacy::thread_event_lists threads = legacy::disableProfilerLegacy();

  OperatorProfile profile;
  std::map<std::string, OperatorTime> sums;
  for (const std::vector<LegacyEvent>& events : threads) {
    const double outermost_us = add_thread(events, sums);
    const LegacyEvent* begin = find_mark(events, "__start_profile");
    const LegacyEvent* end = find_mark(events, "__stop_profile");
    if (begin && end) {
      profile.recorded_ms = begin->cpuElapsedUs(*end) / 1e3;
      profile.outside_ms = std::max(0.0, profile.recorded_ms - outermost_us / 1e3);
    }
  }
  for (auto& [name, sum] : sums) profile.operators.push_back(std::move(sum));
  std::sort(profile.operators.begin(), profile.operators.end(),
            [](const OperatorTime& a, const OperatorTime& b) { return a.self_ms > b.self_ms; });

  if (!trace_path.empty()) {
    std::vector<LegacyEvent*> all;
    for (const std::vector<LegacyEvent>& events : threads)
      for (const LegacyEvent& e : events) all.push_back(const_cast<LegacyEvent*>(&e));
    std::ostringstream trace;
    legacy::writeProfilerEventsToStream(trace, all);
    write_file_atomically(trace_path, trace.str());
  }
  return profile;
}

}  // namespace gencli::bench
