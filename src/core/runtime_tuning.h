#pragma once
// Makes the CPU math libraries fast without the user knowing about them.
//
// OpenBLAS 0.3.21 does not recognise recent Intel CPUs and falls back to SSE3 kernels;
// OPENBLAS_CORETYPE names the right kernel family (several times faster), and it only takes
// effect when the library loads, before main() runs. So main() calls tune_runtime() first:
// when the setting would help and the user has not set that variable, it sets it and
// re-executes the program once. glibc's allocator settings (GLIBC_TUNABLES), which keep a
// training step's large activations from going back to the kernel every step, are the same
// kind of setting. (The split of the cores between OpenBLAS's threads and
// LibTorch's pool, which keeps the two from starving each other, is set_cpu_threads below.)
// GENCLI_TUNING=off turns this off (used to check that tuned and untuned runs give the same
// numbers).
#include <string>
#include <vector>

namespace gencli {

// May not return: re-executes the program with the improved environment. SIGINT and SIGTERM
// are blocked across the exec, so one sent meanwhile waits instead of killing the process
// before it can install its handlers; the new process must call release_held_signals().
void tune_runtime(int argc, char** argv);
// Unblocks SIGINT and SIGTERM (delivering one held over the exec to the current handler).
void release_held_signals();

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

// When OPENBLAS_CORETYPE, set by the user, holds OpenBLAS to a weaker kernel family than this
// CPU runs, one line saying so (gencli keeps a setting the user made, as it may be there to get
// the same numbers on several machines); else "". blas_core: the family in use.
std::string openblas_coretype_advice(const std::string& blas_core);

// What tune_runtime changed in this process ("OPENBLAS_CORETYPE=SkylakeX, GLIBC_TUNABLES=..."),
// or "".
std::string runtime_tuning_applied();

// How many threads each pool gets. OpenBLAS (pthreads build) keeps its own pool beside
// LibTorch's OpenMP pool; on few cores the two contend (its idle workers spin), so by
// default matrix products get every core and LibTorch's pool, which runs element-wise
// ops and convolutions, one thread. Measured on 2 cores: MLP GAN 120 steps/s this way
// against 97 with both pools at 2; DCGAN 15.7 against 13.1 (19 against 16 in a later run).
// Networks made of many full-resolution 3x3 convolutions and GroupNorm/SiLU (the diffusion
// U-Net) spend their time in LibTorch's pool instead, so `parallel_ops` gives that pool
// every core too: U-Net training 3.5 -> 4.6 steps/s on 2 cores.
struct ThreadPlan {
  int blas = 1;        // OpenBLAS threads (matrix products)
  int intra_op = 1;    // LibTorch intra-op threads
};
// threads: cores for matrix products (0 = every usable core); intra_op: LibTorch's pool
// (0 = automatic as above; with another BLAS, e.g. MKL on OpenMP, it equals threads).
ThreadPlan plan_threads(int threads, int intra_op, bool parallel_ops = false);
// Applies a plan; OPENBLAS_NUM_THREADS set by the user wins over plan.blas.
ThreadPlan set_cpu_threads(int threads, int intra_op = 0, bool parallel_ops = false);
int usable_cores();

}  // namespace gencli
