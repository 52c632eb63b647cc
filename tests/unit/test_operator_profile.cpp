// The per-operator profile of `gencli bench train --profile`: a known stretch of work comes back
// with its operators counted once per call, nested time attributed to the innermost operator,
// gencli's own named regions listed, time in no operator counted as such, nothing recorded
// after finish() or left recording by a profiler destroyed mid-way, and a Chrome trace written.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "bench/operator_profile.h"
#include "core/profiled_region.h"

using namespace gencli;
using namespace gencli::bench;

namespace {

const OperatorTime* find(const OperatorProfile& p, const std::string& name) {
  for (const OperatorTime& t : p.operators)
    if (t.name == name) return &t;
  return nullptr;
}

void work_in_a_region(const torch::Tensor& a) {
  GENCLI_PROFILED_REGION("test::region");
  torch::Tensor b = torch::mm(a, a);
  b = torch::mm(b, a);
  (void)b.sum().item<float>();
}

}  // namespace

TEST(OperatorProfile, CountsEachCallAndAttributesNestedTimeToTheInnermostOperator) {
  const torch::Tensor a = torch::randn({96, 96});
  OperatorProfiler profiler;
  profiler.start();
  work_in_a_region(a);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // in no operator
  work_in_a_region(a);
  {
    GENCLI_PROFILED_REGION("test::sleeping");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the region's own time
  }
  const OperatorProfile p = profiler.finish("");

  const OperatorTime* region = find(p, "test::region");
  const OperatorTime* mm = find(p, "aten::mm");
  ASSERT_NE(region, nullptr);
  ASSERT_NE(mm, nullptr);
  EXPECT_EQ(region->calls, 2);
  EXPECT_EQ(mm->calls, 4);
  EXPECT_GT(mm->total_ms, 0);
  // The region's total holds its operators' totals; its own time is what is left.
  EXPECT_GE(region->total_ms, mm->total_ms);
  EXPECT_LT(region->self_ms, region->total_ms);
  for (const OperatorTime& t : p.operators) {
    EXPECT_LE(t.self_ms, t.total_ms + 1e-9) << t.name;
    EXPECT_LE(t.total_ms, p.recorded_ms + 1e-6) << t.name;
  }
  for (size_t i = 1; i < p.operators.size(); ++i) EXPECT_GE(p.operators[i - 1].self_ms, p.operators[i].self_ms);
  const OperatorTime* sleeping = find(p, "test::sleeping");
  ASSERT_NE(sleeping, nullptr);
  EXPECT_GE(sleeping->self_ms, 19.0);
  EXPECT_GE(p.outside_ms, 29.0);
  EXPECT_LE(p.outside_ms, p.recorded_ms - sleeping->total_ms);
}

TEST(OperatorProfile, RecordsNothingAfterFinish) {
  const torch::Tensor a = torch::randn({8, 8});
  OperatorProfiler first;
  first.start();
  work_in_a_region(a);
  first.finish("");
  torch::mm(a, a);  // between recordings
  OperatorProfiler second;
  second.start();
  const OperatorProfile p = second.finish("");
  EXPECT_EQ(find(p, "aten::mm"), nullptr);
  EXPECT_EQ(find(p, "test::region"), nullptr);
}

TEST(OperatorProfile, AProfilerDestroyedWhileRecordingStopsIt) {
  {
    OperatorProfiler abandoned;
    abandoned.start();  // as when a training step throws before finish()
  }
  OperatorProfiler next;
  EXPECT_NO_THROW(next.start());
  next.finish("");
}

TEST(OperatorProfile, WritesAChromeTraceOfTheRecordedOperators) {
  const std::string path = (std::filesystem::temp_directory_path() / "gencli_test_operator_profile.json").string();
  std::filesystem::remove(path);
  OperatorProfiler profiler;
  profiler.start();
  work_in_a_region(torch::randn({8, 8}));
  profiler.finish(path);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("\"test::region\""), std::string::npos);
  EXPECT_NE(text.str().find("\"aten::mm\""), std::string::npos);
  EXPECT_NE(text.str().find("\"ph\": \"X\""), std::string::npos) << text.str().substr(0, 200);
  std::filesystem::remove(path);
}

TEST(OperatorProfile, OneRecordingAtATime) {
  OperatorProfiler profiler;
  EXPECT_THROW(profiler.finish(""), std::logic_error);
  profiler.start();
  EXPECT_THROW(profiler.start(), std::logic_error);
  profiler.finish("");
}
