#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cstdlib>

#include "core/runtime_tuning.h"

using namespace gencli;

TEST(RuntimeTuning, WeakerKernelsAreUpgradedStrongerOnesKept) {
  EXPECT_FALSE(openblas_core_at_least("Prescott", "SkylakeX"));   // SSE3 fallback: ask for SkylakeX
  EXPECT_FALSE(openblas_core_at_least("Sandybridge", "SkylakeX"));
  EXPECT_FALSE(openblas_core_at_least("Haswell", "SkylakeX"));
  EXPECT_TRUE(openblas_core_at_least("SkylakeX", "SkylakeX"));
  EXPECT_TRUE(openblas_core_at_least("Cooperlake", "SkylakeX"));  // already AVX-512 (+BF16)
  EXPECT_TRUE(openblas_core_at_least("Zen", "Haswell"));
  EXPECT_FALSE(openblas_core_at_least("Nehalem", "Haswell"));
}

TEST(RuntimeTuning, ThreadsDefaultToUsableCores) {
  ThreadPlan plan = set_cpu_threads(0);
  EXPECT_EQ(plan.blas, usable_cores());
  EXPECT_EQ(at::get_num_threads(), plan.intra_op);
  if (blas_info().library == "OpenBLAS") {
    EXPECT_EQ(plan.intra_op, 1);  // OpenBLAS's own pool takes the cores
    auto get = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    ASSERT_NE(get, nullptr);
    if (!std::getenv("OPENBLAS_NUM_THREADS")) EXPECT_EQ(get(), usable_cores());
  }
  plan = set_cpu_threads(1, 3);
  EXPECT_EQ(plan.blas, 1);
  EXPECT_EQ(plan.intra_op, 3);
  EXPECT_EQ(at::get_num_threads(), 3);
}

namespace gencli {
namespace {

TEST(RuntimeTuning, AdvisesOnlyWhenTheUsersKernelChoiceIsWeakerThanTheCpus) {
  const char* saved = std::getenv("OPENBLAS_CORETYPE");
  const std::string saved_value = saved ? saved : "";
  const std::string best = best_openblas_core_for_this_cpu();
  unsetenv("OPENBLAS_CORETYPE");
  EXPECT_EQ(openblas_coretype_advice("Prescott"), "");  // not the user's choice: gencli's tuning handles it
  setenv("OPENBLAS_CORETYPE", "Prescott", 1);
  if (best.empty()) {
    EXPECT_EQ(openblas_coretype_advice("Prescott"), "");
  } else {
    const std::string advice = openblas_coretype_advice("Prescott");
    EXPECT_NE(advice.find("OPENBLAS_CORETYPE=Prescott"), std::string::npos) << advice;
    EXPECT_NE(advice.find("this CPU runs " + best + " kernels"), std::string::npos) << advice;
    EXPECT_EQ(openblas_coretype_advice(best), "");
    EXPECT_EQ(openblas_coretype_advice(""), "");  // LibTorch's BLAS is not OpenBLAS
    // Asking for the best family, where the library has no such kernels: unsetting would not help.
    setenv("OPENBLAS_CORETYPE", best.c_str(), 1);
    EXPECT_EQ(openblas_coretype_advice("Prescott"), "");
  }
  if (saved) setenv("OPENBLAS_CORETYPE", saved_value.c_str(), 1);
  else unsetenv("OPENBLAS_CORETYPE");
}

}  // namespace
}  // namespace gencli
