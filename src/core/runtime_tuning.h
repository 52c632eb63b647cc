#pragma once
// Makes the CPU math libraries fast without the user knowing about them.
//
// Two settings only take effect when a library loads, before main() runs:
//  - OpenBLAS 0.3.21 does not recognise recent Intel CPUs and falls back to SSE3
//    kernels; OPENBLAS_CORETYPE names the right kernel family (several times faster).
//  - LibTorch's OpenMP workers spin after each parallel region and starve OpenBLAS's
//    own threads; OMP_WAIT_POLICY=passive makes them sleep.
// So main() calls tune_runtime() first: when a setting would help and the user has not
// set that variable, it sets it and re-executes the program once. GENCLI_TUNING=off
// turns this off (used to check that tuned and untuned runs give the same numbers).
#include <string>
#include <vector>

namespace gencli {

// May not return: re-executes the program with the improved environment.
void tune_runtime(int argc, char** argv);

struct BlasInfo {
  std::string library = "unknown";   // "OpenBLAS" when found, else unknown (reference BLAS or MKL)
  std::string core;                  // OpenBLAS kernel family in use, e.g. "SkylakeX"
  std::string config;                // OpenBLAS build string
  int threads = 0;                   // OpenBLAS threads
};
BlasInfo blas_info();

// The kernel family this CPU supports best among the ones OpenBLAS ships ("SkylakeX",
// "Haswell"), or "" when the CPU (or the OS) offers neither AVX-512 nor AVX2.
std::string best_openblas_core_for_this_cpu();

// Whether OpenBLAS kernel family `current` is at least as fast as `target` here, i.e.
// whether asking for `target` would gain nothing ("Cooperlake" covers "SkylakeX").
bool openblas_core_at_least(const std::string& current, const std::string& target);

// What tune_runtime changed in this process ("OPENBLAS_CORETYPE=SkylakeX, ..."), or "".
std::string runtime_tuning_applied();

// Sets LibTorch's intra-op threads and OpenBLAS's threads (unless OPENBLAS_NUM_THREADS is set).
// n = 0 means every core this process may use.
int set_cpu_threads(int n);
int usable_cores();

}  // namespace gencli
