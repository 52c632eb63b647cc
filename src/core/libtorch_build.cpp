#include "core/libtorch_build.h"

#include <ATen/Version.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <map>
#include <regex>

#ifdef GENCLI_TORCH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <cuda_runtime_api.h>
#endif

namespace gencli {

namespace {

// "Build settings: BLAS_INFO=mkl, BUILD_TYPE=Release, CUDA_FLAGS= -a,-b, ..." -> key -> value.
// Values may hold commas (CUDA_FLAGS does), so a new entry starts only at ", KEY=".
std::map<std::string, std::string> build_settings(const std::string& text) {
  std::map<std::string, std::string> settings;
  const auto at = text.find("Build settings:");
  if (at == std::string::npos) return settings;
  const std::string line = text.substr(at + 15, text.find('\n', at) - at - 15);
  static const std::regex entry(R"((?:^|, )\s*([A-Z][A-Z0-9_]*)=)");
  std::vector<std::pair<std::string, size_t>> keys;  // key, where its value starts
  std::vector<size_t> starts;
  for (auto it = std::sregex_iterator(line.begin(), line.end(), entry); it != std::sregex_iterator(); ++it) {
    keys.emplace_back((*it)[1].str(), static_cast<size_t>(it->position(0) + it->length(0)));
    starts.push_back(static_cast<size_t>(it->position(0)));
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    const size_t end = i + 1 < keys.size() ? starts[i + 1] : line.size();
    std::string value = line.substr(keys[i].second, end - keys[i].second);
    while (!value.empty() && (value.back() == ' ' || value.back() == ',')) value.pop_back();
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    settings[keys[i].first] = value;
  }
  return settings;
}

bool is_on(const std::string& v) { return v == "ON" || v == "1" || v == "TRUE" || v == "True"; }

}  // namespace

LibTorchBuild parse_libtorch_build(const std::string& show_config) {
  const auto s = build_settings(show_config);
  auto get = [&](const char* key) {
    const auto it = s.find(key);
    return it == s.end() ? std::string() : it->second;
  };
  LibTorchBuild b;
  b.version = get("TORCH_VERSION");
  b.blas = get("BLAS_INFO");
  b.cuda = is_on(get("USE_CUDA"));
  if (b.cuda) b.cuda_version = get("CUDA_VERSION");
  if (b.cuda && is_on(get("USE_CUDNN"))) b.cudnn_version = get("CUDNN_VERSION");
  b.nccl = b.cuda && is_on(get("USE_NCCL"));
  b.gloo = is_on(get("USE_GLOO"));
  static const std::regex capability(R"(CPU capability usage: (\S+))");
  std::smatch m;
  if (std::regex_search(show_config, m, capability)) b.cpu_capability = m[1].str();
  return b;
}

LibTorchBuild libtorch_build() {
  LibTorchBuild b = parse_libtorch_build(at::show_config());
  if (b.version.empty()) b.version = TORCH_VERSION;
#ifdef USE_C10D_GLOO
  b.gloo = true;  // Debian's 1.13 has ProcessGroupGloo but leaves USE_GLOO out of its summary
#endif
  return b;
}

std::vector<CudaDevice> cuda_devices() {
  std::vector<CudaDevice> devices;
#ifdef GENCLI_TORCH_CUDA
  if (!torch::cuda::is_available()) return devices;
  const int count = static_cast<int>(torch::cuda::device_count());
  for (int i = 0; i < count; ++i) {
    const cudaDeviceProp* p = at::cuda::getDeviceProperties(i);
    CudaDevice d;
    d.index = i;
    d.name = p->name;
    d.total_bytes = static_cast<int64_t>(p->totalGlobalMem);
    d.major = p->major;
    d.minor = p->minor;
    size_t free = 0, total = 0;
    if (cudaSetDevice(i) == cudaSuccess && cudaMemGetInfo(&free, &total) == cudaSuccess)
      d.free_bytes = static_cast<int64_t>(free);
    devices.push_back(d);
  }
#endif
  return devices;
}

int64_t cuda_peak_allocated_bytes(int index) {
#ifdef GENCLI_TORCH_CUDA
  // allocated_bytes[0]: the aggregate over small and large pools.
  return c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(index)).allocated_bytes[0].peak;
#else
  (void)index;
  return -1;
#endif
}

}  // namespace gencli
