#include "bench/recycled_cpu_memory.h"

#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "core/torch_compat.h"

namespace gencli::bench {
namespace {

// The blocks: every one handed out (by address, with its size) and the free ones by size. A
// process-wide object that is never destroyed, because a tensor may be freed at any time, on
// any thread, after the recycler's scope has ended.
struct BlockPool {
  std::mutex mutex;
  bool open = false;
  c10::DeleterFnPtr release_to_inner = nullptr;  // frees a block of the allocator wrapped
  std::unordered_map<void*, size_t> sizes;       // blocks handed out while open
  std::unordered_map<size_t, std::vector<void*>> free_blocks;
};

BlockPool& pool() {
  static BlockPool* p = new BlockPool;
  return *p;
}

// The deleter of every block handed out, and the raw deleter LibTorch's oneDNN scratchpads use
// (they free through whatever CPU allocator is current then, which may not be the one that gave).
void recycle(void* ptr) {
  if (!ptr) return;
  BlockPool& p = pool();
  c10::DeleterFnPtr release = nullptr;
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    auto it = p.sizes.find(ptr);
    if (p.open && it != p.sizes.end()) {
      try {
        p.free_blocks[it->second].push_back(ptr);
        return;
      } catch (const std::bad_alloc&) {
        p.sizes.erase(it);  // no room to keep it: give it back instead
      }
    }
    release = p.release_to_inner;
  }
  // Not ours (allocated before the recycler was installed) or the recycler is gone: the
  // wrapped allocator's raw deleter frees both.
  release(ptr);
}

class RecyclingAllocator final : public torch_compat::ForwardingAllocator {
 public:
  using ForwardingAllocator::ForwardingAllocator;
  c10::DeleterFnPtr raw_deleter() const override { return &recycle; }

 protected:
  c10::DataPtr forward_allocate(size_t n) const override {
    const c10::Device cpu(c10::DeviceType::CPU);
    if (n == 0) return c10::DataPtr(nullptr, nullptr, &recycle, cpu);
    BlockPool& p = pool();
    {
      std::lock_guard<std::mutex> lock(p.mutex);
      // A storage made while the recycler was installed keeps this allocator for its resizes.
      if (!p.open) return inner()->allocate(n);
      auto it = p.free_blocks.find(n);
      if (it != p.free_blocks.end() && !it->second.empty()) {
        void* ptr = it->second.back();
        it->second.pop_back();
        return c10::DataPtr(ptr, ptr, &recycle, cpu);
      }
    }
    void* ptr = inner()->raw_allocate(n);
    std::lock_guard<std::mutex> lock(p.mutex);
    // Closed meanwhile (on another thread): the block is the wrapped allocator's like any other.
    if (p.open) p.sizes.insert_or_assign(ptr, n);
    return c10::DataPtr(ptr, ptr, &recycle, cpu);
  }
};

}  // namespace

RecycledCpuMemory::RecycledCpuMemory() {
  c10::Allocator* current = c10::GetCPUAllocator();
  if (!current->raw_deleter()) return;
  // One for the process, never destroyed: storages keep a plain pointer to their allocator.
  static RecyclingAllocator* const allocator = new RecyclingAllocator(current);
  if (current != allocator->inner()) return;  // LibTorch's CPU allocator changed since, or this one is installed
  BlockPool& p = pool();
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    if (p.open) return;
    p.open = true;
    p.release_to_inner = current->raw_deleter();
    p.sizes.clear();
    p.free_blocks.clear();
  }
  previous_ = current;
  c10::SetCPUAllocator(allocator);
}

RecycledCpuMemory::~RecycledCpuMemory() {
  if (!previous_) return;
  c10::SetCPUAllocator(previous_);
  BlockPool& p = pool();
  std::vector<void*> kept;
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    p.open = false;  // release_to_inner stays: blocks still in use are freed by it
    for (auto& [size, blocks] : p.free_blocks) kept.insert(kept.end(), blocks.begin(), blocks.end());
    p.free_blocks.clear();
    p.sizes.clear();
  }
  for (void* ptr : kept) p.release_to_inner(ptr);
}

}  // namespace gencli::bench
