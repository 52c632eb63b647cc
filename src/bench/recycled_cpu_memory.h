#pragma once
// While a profile is recorded, LibTorch's CPU tensors get their memory from blocks recycled by
// exact size instead of from glibc's heap.
//
// Why: the profiler allocates its event records (blocks of a few hundred kilobytes) on the
// thread that runs the operators, between a step's tensors. glibc serves them by splitting the
// freed tensor chunks, so the next step's tensors no longer fit where they were and the heap
// grows by a step's activations every profiled step (pixelcnn_mnist: 700 MiB a step), with
// every new page faulted in. On a 2-core AMD EPYC that made a profiled PixelCNN step 4x slower
// than an unprofiled one, mostly inside memory-bound operators. A training step asks for the
// same sizes every step, so recycling blocks by size gives it back exactly the memory it had.
#include <c10/core/CPUAllocator.h>

namespace gencli::bench {

// Installs the recycling allocator as LibTorch's CPU allocator for its lifetime, then restores
// the one it replaced and frees the blocks it kept. Tensors allocated inside and freed outside
// (or the reverse) are freed by the allocator that gave them. One at a time.
class RecycledCpuMemory {
 public:
  RecycledCpuMemory();
  ~RecycledCpuMemory();
  RecycledCpuMemory(const RecycledCpuMemory&) = delete;
  RecycledCpuMemory& operator=(const RecycledCpuMemory&) = delete;

  // Whether it is installed: not when the current allocator offers no raw interface (the
  // recycler allocates through it), nor when it is not the one the process's first recycler
  // wrapped (another recycler is installed, or LibTorch's allocator was replaced since).
  bool active() const { return previous_ != nullptr; }

 private:
  c10::Allocator* previous_ = nullptr;
};

}  // namespace gencli::bench
