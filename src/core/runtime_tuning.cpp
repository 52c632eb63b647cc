#include "core/runtime_tuning.h"

#include <cpuid.h>
#include <dlfcn.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <thread>

#include <ATen/Parallel.h>

#include "core/cpu_features.h"

namespace gencli {

namespace {

const char* kTunedMarker = "GENCLI_TUNED";  // set on re-exec: what was changed, and "do not loop"

template <class F>
F openblas_symbol(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_DEFAULT, name));
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool env_set(const char* name) { return std::getenv(name) != nullptr; }

// glibc's allocator settings, as GLIBC_TUNABLES names them, or "" where the user set their own
// or this is not glibc. glibc hands each allocation above its mmap threshold (128 KiB at first,
// growing only to 32 MiB as such blocks are freed) fresh pages from the kernel, and returns the
// heap's free top beyond its trim threshold. A training step frees and reallocates the same
// activations every step, so both become page faults that zero the same memory again: WaveNet
// on a 2-core Xeon took 739,000 minor faults in 18 steps. With blocks up to 1 GiB from the heap
// and up to 1 GiB of freed heap kept for the next step: 279,000 faults, 2.15 -> 2.5 steps/s;
// DCGAN 27.7 -> 31.5, conv VAE 21.5 -> 23.5, PixelCNN 2.04 -> 2.15, DDPM 7.1 -> 7.3. glibc
// reads these only at start (mallopt caps the threshold at 32 MiB), hence the environment.
std::string allocator_tunables() {
#if defined(__GLIBC__)
  const char* user = std::getenv("GLIBC_TUNABLES");
  if ((user && std::string(user).find("glibc.malloc.") != std::string::npos) || env_set("MALLOC_MMAP_THRESHOLD_") ||
      env_set("MALLOC_TRIM_THRESHOLD_") || env_set("MALLOC_TOP_PAD_"))
    return "";
  const std::string ours = "glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=1073741824";
  return user && *user ? std::string(user) + ":" + ours : ours;
#else
  return "";
#endif
}

}  // namespace

bool openblas_core_at_least(const std::string& current, const std::string& target) {
  const std::string c = lower(current);
  if (target == "SkylakeX") return c == "skylakex" || c == "cooperlake" || c == "sapphirerapids";
  if (target == "Haswell")
    return c == "haswell" || c == "zen" || c == "skylakex" || c == "cooperlake" || c == "sapphirerapids";
  return true;
}

std::string best_openblas_core_for_this_cpu() {
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return "";
  const uint64_t xcr0 = os_saved_register_states();
  const bool avx_os = (xcr0 & 0x6) == 0x6, avx512_os = (xcr0 & 0xE6) == 0xE6;
  const bool avx2 = b & bit_AVX2;
  const bool avx512 = (b & bit_AVX512F) && (b & bit_AVX512BW) && (b & bit_AVX512VL) && (b & bit_AVX512DQ) &&
                      (b & bit_AVX512CD);
  if (avx512 && avx512_os) return "SkylakeX";
  unsigned a1 = 0, b1 = 0, c1 = 0, d1 = 0;
  const bool fma = __get_cpuid(1, &a1, &b1, &c1, &d1) && (c1 & bit_FMA);
  if (avx2 && fma && avx_os) return "Haswell";
#endif
  return "";
}

std::string openblas_coretype_advice(const std::string& blas_core) {
  const char* user = std::getenv("OPENBLAS_CORETYPE");
  const std::string best = best_openblas_core_for_this_cpu();
  if (!user || best.empty() || blas_core.empty()) return "";  // not set, nothing better, or not OpenBLAS
  if (runtime_tuning_applied().find("OPENBLAS_CORETYPE") != std::string::npos) return "";  // gencli's own choice
  // Only a setting that asks for less than the CPU runs: where the library lacks the better
  // kernels, unsetting the variable would change nothing.
  if (openblas_core_at_least(user, best) || openblas_core_at_least(blas_core, best)) return "";
  return "OPENBLAS_CORETYPE=" + std::string(user) + " in the environment holds OpenBLAS to " + blas_core +
         " kernels; this CPU runs " + best + " kernels (unset it to let gencli choose)";
}

BlasInfo blas_info() {
  BlasInfo info;
  auto corename = openblas_symbol<char* (*)()>("openblas_get_corename");
  if (!corename) return info;
  info.library = "OpenBLAS";
  info.core = corename();
  if (auto config = openblas_symbol<char* (*)()>("openblas_get_config")) info.config = config();
  if (auto threads = openblas_symbol<int (*)()>("openblas_get_num_threads")) info.threads = threads();
  return info;
}

namespace {

// Sets the environment variables that only take effect when the libraries load (OpenBLAS's
// kernels, libgomp's waits, glibc's allocator) and re-executes the program with them, when
// any would change.
void tune_environment(char** argv) {
  std::string changes;
  auto change = [&](const char* name, const std::string& value) {
    setenv(name, value.c_str(), 1);
    changes += (changes.empty() ? "" : ", ") + std::string(name) + "=" + value;
  };
  // With OpenBLAS (Debian's LibTorch), OMP_WAIT_POLICY stays the user's or libgomp's own (spin
  // a while, then sleep): forced passive waits cost the families that give LibTorch's pool every
  // core a wake-up per operator (DDPM 4.5 against 6.2 steps/s on a 2-core Xeon), and the
  // families whose pool has one thread have no workers to wait. With the pip wheel's MKL, the
  // spinning waits made sampling differ from run to run under load (2 of 36 runs of the same
  // GAN sample, by 4e-6; none of 36 with passive waits), so there they stay passive.
  const BlasInfo blas = blas_info();
  if (blas.library != "OpenBLAS" && !env_set("OMP_WAIT_POLICY")) change("OMP_WAIT_POLICY", "passive");
  const std::string best = best_openblas_core_for_this_cpu();
  if (blas.library == "OpenBLAS" && !best.empty() && !env_set("OPENBLAS_CORETYPE") &&
      !openblas_core_at_least(blas.core, best))
    change("OPENBLAS_CORETYPE", best);
  if (const std::string tunables = allocator_tunables(); !tunables.empty()) change("GLIBC_TUNABLES", tunables);
  if (changes.empty()) return;

  setenv(kTunedMarker, changes.c_str(), 1);
  sigset_t interrupts, before;
  sigemptyset(&interrupts);
  sigaddset(&interrupts, SIGINT);
  sigaddset(&interrupts, SIGTERM);
  sigprocmask(SIG_BLOCK, &interrupts, &before);
  execv("/proc/self/exe", argv);
  // exec failed (no /proc?): carry on untuned rather than fail.
  sigprocmask(SIG_SETMASK, &before, nullptr);
  unsetenv(kTunedMarker);
}

}  // namespace

void tune_runtime(int argc, char** argv) {
  (void)argc;
  const char* switch_value = std::getenv("GENCLI_TUNING");
  if (switch_value && lower(switch_value) == "off") return;
  if (!env_set(kTunedMarker)) tune_environment(argv);  // may re-execute; the new process skips it
}

void release_held_signals() {
  sigset_t interrupts;
  sigemptyset(&interrupts);
  sigaddset(&interrupts, SIGINT);
  sigaddset(&interrupts, SIGTERM);
  sigprocmask(SIG_UNBLOCK, &interrupts, nullptr);
}

std::string runtime_tuning_applied() {
  const char* v = std::getenv(kTunedMarker);
  return v ? v : "";
}

int usable_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPlan plan_threads(int threads, int intra_op, bool parallel_ops) {
  ThreadPlan plan;
  plan.blas = threads > 0 ? threads : usable_cores();
  const bool separate_blas_pool = blas_info().library == "OpenBLAS" &&
                                  blas_info().config.find("USE_OPENMP") == std::string::npos;
  plan.intra_op = intra_op > 0 ? intra_op : (separate_blas_pool && !parallel_ops ? 1 : plan.blas);
  return plan;
}

ThreadPlan set_cpu_threads(int threads, int intra_op, bool parallel_ops) {
  ThreadPlan plan = plan_threads(threads, intra_op, parallel_ops);
  at::set_num_threads(plan.intra_op);
  if (const char* user = std::getenv("OPENBLAS_NUM_THREADS")) {
    plan.blas = std::max(1, std::atoi(user));
  } else if (auto set = openblas_symbol<void (*)(int)>("openblas_set_num_threads")) {
    set(plan.blas);
  }
  return plan;
}

}  // namespace gencli
