#include "core/cpu_features.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace gencli {

uint64_t os_saved_register_states() {
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) return 0;
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
#else
  return 0;
#endif
}

bool cpu_has_native_bf16() {
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (__get_cpuid_max(0, nullptr) < 7 || !__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const unsigned leaf7_edx = d, max_subleaf = a;
  const uint64_t xcr0 = os_saved_register_states();
  const bool avx512_state = (xcr0 & 0xE6) == 0xE6;          // SSE, AVX, opmask, ZMM upper halves
  const bool tile_state = (xcr0 & (3ull << 17)) == (3ull << 17);  // XTILECFG and XTILEDATA
  bool avx512_bf16 = false;
  if (max_subleaf >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d)) avx512_bf16 = (a >> 5) & 1;
  const bool amx_bf16 = (leaf7_edx >> 22) & 1;
  return (avx512_bf16 && avx512_state) || (amx_bf16 && tile_state);
#else
  return false;
#endif
}

}  // namespace gencli
