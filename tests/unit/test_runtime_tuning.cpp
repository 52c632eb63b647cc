#include <gtest/gtest.h>

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
  EXPECT_EQ(set_cpu_threads(0), usable_cores());
  EXPECT_EQ(at::get_num_threads(), usable_cores());
  EXPECT_EQ(set_cpu_threads(1), 1);
  EXPECT_EQ(at::get_num_threads(), 1);
}
