#include <torch/version.h>

#include <cstdio>

#include "cli/commands.h"
#include "core/runtime_tuning.h"
#include "models/registry.h"

namespace gencli::cli {

void add_info_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("info", "versions, devices, threads and the BLAS in use");
  cmd->callback([] {
    const ThreadPlan threads = set_cpu_threads(0);
    const BlasInfo blas = blas_info();
    const std::string best = best_openblas_core_for_this_cpu();
    const std::string tuning = runtime_tuning_applied();
    std::printf("gencli        %s\n", GENCLI_VERSION);
    std::printf("LibTorch      %s\n", TORCH_VERSION);
    std::printf("CUDA          %s", torch::cuda::is_available() ? "available" : "not available");
    if (torch::cuda::is_available()) std::printf(", %d device(s)", static_cast<int>(torch::cuda::device_count()));
    std::printf("\nthreads       %d for matrix products (OpenBLAS), %d for LibTorch ops (%d usable cores)\n",
                threads.blas, threads.intra_op, usable_cores());
    std::printf("BLAS          %s%s%s\n", blas.library.c_str(), blas.core.empty() ? "" : ", kernels ",
                blas.core.c_str());
    if (!blas.config.empty()) std::printf("BLAS build    %s\n", blas.config.c_str());
    std::printf("CPU kernels   best OpenBLAS match: %s\n", best.empty() ? "none beyond the default" : best.c_str());
    std::printf("tuning        %s\n", tuning.empty() ? "none applied (already optimal, set by you, or GENCLI_TUNING=off)"
                                                     : tuning.c_str());
    std::printf("model types   %s\n", models::known_types().c_str());
  });
}

}  // namespace gencli::cli
