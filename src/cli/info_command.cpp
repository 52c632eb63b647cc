#include <torch/version.h>

#include <cstdio>

#include "cli/commands.h"
#include "core/cpu_features.h"
#include "core/libtorch_build.h"
#include "core/runtime_tuning.h"
#include "core/torch_compat.h"
#include "models/registry.h"

namespace gencli::cli {

namespace {
const char* or_unknown(const std::string& s) { return s.empty() ? "unknown" : s.c_str(); }
}  // namespace

void add_info_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("info", "versions, CUDA devices, collectives, fused attention, threads and the BLAS in use");
  cmd->callback([] {
    const ThreadPlan threads = set_cpu_threads(0);
    const BlasInfo blas = blas_info();
    const std::string best = best_openblas_core_for_this_cpu();
    const std::string tuning = runtime_tuning_applied();
    const LibTorchBuild torch_build = libtorch_build();
    const std::vector<CudaDevice> devices = cuda_devices();
    std::printf("gencli        %s\n", GENCLI_VERSION);
    std::printf("LibTorch      %s (C++%ld build; CPU kernels %s; BLAS %s)\n", torch_build.version.c_str(),
                __cplusplus / 100 % 100, or_unknown(torch_build.cpu_capability), or_unknown(torch_build.blas));
    std::string built = torch_build.cuda ? "built with CUDA " + torch_build.cuda_version : "built without CUDA";
    if (torch_build.cuda)
      built += torch_build.cudnn_version.empty() ? ", no cuDNN" : ", cuDNN " + torch_build.cudnn_version;
    if (torch::cuda::is_available())
      std::printf("CUDA          available, %d device(s) (%s)\n", static_cast<int>(torch::cuda::device_count()),
                  built.c_str());
    else
      std::printf("CUDA          not available (%s%s)\n", built.c_str(), torch_build.cuda ? "; no GPU visible" : "");
    for (const CudaDevice& d : devices)
      std::printf("  cuda:%-6d  %s, %.1f GiB (%.1f GiB free), compute capability %d.%d\n", d.index, d.name.c_str(),
                  static_cast<double>(d.total_bytes) / (1 << 30), static_cast<double>(d.free_bytes) / (1 << 30),
                  d.major, d.minor);
    std::printf("collectives   Gloo (CPU) %s, NCCL (CUDA) %s\n", torch_build.gloo ? "built in" : "not built",
                torch_build.nccl ? "built in" : "not built");
    if (!torch_compat::has_fused_attention()) {
      std::printf("attention     sdpa: no fused kernel in LibTorch %s; gencli's own (float32 CPU), else naive\n",
                  TORCH_VERSION);
    } else {
      std::string line = "sdpa: CPU " + torch_compat::fused_attention_backend(torch::kCPU);
      for (const CudaDevice& d : devices)
        line += ", cuda:" + std::to_string(d.index) + " " +
                torch_compat::fused_attention_backend(torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(d.index)));
      std::printf("attention     %s\n", line.c_str());
    }
    const bool openblas = blas.library == "OpenBLAS";
    std::printf("precision     fp32, bf16 (%s on this CPU)%s\n",
                cpu_has_native_bf16() ? "native: AVX512-BF16 or AMX-BF16" : "emulated, slower than fp32",
                torch::cuda::is_available() ? ", fp16 (CUDA, with loss scaling)" : "; fp16 on CUDA GPUs only");
    std::printf("threads       %d for matrix products (%s), %d for LibTorch ops (%d usable cores)\n", threads.blas,
                openblas ? "OpenBLAS" : "LibTorch's BLAS", threads.intra_op, usable_cores());
    if (openblas) {
      std::printf("BLAS          OpenBLAS%s%s\n", blas.core.empty() ? "" : ", kernels ", blas.core.c_str());
      if (!blas.config.empty()) std::printf("BLAS build    %s\n", blas.config.c_str());
      std::printf("CPU kernels   best OpenBLAS match: %s\n", best.empty() ? "none beyond the default" : best.c_str());
      if (const std::string advice = openblas_coretype_advice(blas.core); !advice.empty())
        std::printf("advice        %s\n", advice.c_str());
    } else {
      std::printf("BLAS          %s, inside LibTorch (OpenBLAS kernel tuning does not apply)\n",
                  or_unknown(torch_build.blas));
    }
    std::printf("tuning        %s\n", tuning.empty() ? "none applied (already optimal, set by you, or GENCLI_TUNING=off)"
                                                     : tuning.c_str());
    std::printf("model types   %s\n", models::known_types().c_str());
  });
}

}  // namespace gencli::cli
