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
