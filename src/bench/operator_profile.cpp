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

struct Interval {
  double begin_us, end_us;
};

// Adds one thread's ranges to `sums`. Ranges nest on a thread; a pop closes the range its push
// opened (same handle), and any range left open inside it (an exception unwound it) closes too.
// (A range that ends on another thread has its pop recorded here too, in LibTorch's lists; no
// operator of a training step does that.) Appends the thread's outermost ranges to `outermost`.
void add_thread(const std::vector<LegacyEvent>& events, std::map<std::string, OperatorTime>& sums,
                std::vector<Interval>& outermost) {
  std::vector<OpenRange> open;
  std::unordered_map<std::string, int> open_by_name;  // a recursive call's total is counted once
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
        outermost.push_back({range.push->cpuUs(), e.cpuUs()});
      else
        open.back().children_us += total_us;
      if (range.push->handle() == e.handle()) break;
    }
  }
}

// The time inside [begin, end] covered by at least one interval: on CUDA the backward pass runs
// on autograd's own thread while the calling thread waits, and that wait is not time outside
// every operator.
double covered_us(std::vector<Interval> intervals, double begin, double end) {
  std::sort(intervals.begin(), intervals.end(), [](const Interval& a, const Interval& b) { return a.begin_us < b.begin_us; });
  double covered = 0, reached = begin;
  for (const Interval& i : intervals) {
    const double from = std::max(i.begin_us, reached), to = std::min(i.end_us, end);
    if (to > from) covered += to - from;
    reached = std::max(reached, std::min(i.end_us, end));
  }
  return covered;
}

// The thread that called start() holds the start and stop marks.
const LegacyEvent* find_mark(const std::vector<LegacyEvent>& events, const char* mark) {
  for (const LegacyEvent& e : events)
    if (e.kind() == legacy::EventKind::Mark && std::string(e.name()) == mark) return &e;
  return nullptr;
}

}  // namespace

OperatorProfiler::~OperatorProfiler() {
  // A run that threw between start() and finish() leaves no profiler on for this thread.
  if (running_) legacy::disableProfilerLegacy();
}

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
  std::vector<Interval> outermost;
  const LegacyEvent *begin = nullptr, *end = nullptr;
  for (const std::vector<LegacyEvent>& events : threads) {
    add_thread(events, sums, outermost);
    if (const LegacyEvent* mark = find_mark(events, "__start_profile")) begin = mark;
    if (const LegacyEvent* mark = find_mark(events, "__stop_profile")) end = mark;
  }
  if (begin && end) {
    profile.recorded_ms = begin->cpuElapsedUs(*end) / 1e3;
    profile.outside_ms = std::max(
        0.0, profile.recorded_ms - covered_us(std::move(outermost), begin->cpuUs(), end->cpuUs()) / 1e3);
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
