#pragma once
// What the LibTorch gencli runs on was built with, for `gencli info` and the GPU check: read
// from LibTorch's own build summary (at::show_config()), and the CUDA devices it can see.
#include <cstdint>
#include <string>
#include <vector>

namespace gencli {

struct LibTorchBuild {
  std::string version;         // "1.13.1", "2.14.1"
  std::string blas;            // BLAS_INFO: "open", "mkl", ...
  std::string cpu_capability;  // the kernels LibTorch picked for this CPU ("AVX2", "AVX512", ...)
  bool cuda = false;           // built with CUDA
  std::string cuda_version;    // "13.0", empty without CUDA
  std::string cudnn_version;   // "9.24.0", empty without cuDNN
  bool nccl = false;           // built with NCCL (multi-GPU collectives)
  bool gloo = false;           // built with Gloo (CPU collectives)
};

// Parses at::show_config()'s text (plain text in, so a test feeds it both lines' real outputs).
LibTorchBuild parse_libtorch_build(const std::string& show_config);

// This process's LibTorch.
LibTorchBuild libtorch_build();

struct CudaDevice {
  int index = 0;
  std::string name;
  int64_t total_bytes = 0;
  int64_t free_bytes = 0;
  int major = 0, minor = 0;  // compute capability
};

// The CUDA devices this process sees; empty on a build without CUDA or a machine without a GPU.
std::vector<CudaDevice> cuda_devices();

// The most memory LibTorch's CUDA allocator has held in tensors on GPU `index` since the
// process started, in bytes; -1 on a build without CUDA.
int64_t cuda_peak_allocated_bytes(int index);

}  // namespace gencli
