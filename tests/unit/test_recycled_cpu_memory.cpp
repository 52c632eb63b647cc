#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include "bench/recycled_cpu_memory.h"
#include "core/torch_api.h"

namespace gencli::bench {
namespace {

TEST(RecycledCpuMemory, GivesAFreedBlockBackForTheSameSize) {
  c10::Allocator* before = c10::GetCPUAllocator();
  {
    RecycledCpuMemory recycled;
    ASSERT_TRUE(recycled.active());
    EXPECT_NE(c10::GetCPUAllocator(), before);
    void* first = nullptr;
    {
      torch::Tensor a = torch::empty({1000, 250});
      first = a.data_ptr();
    }
    // Something else allocated between the two tensors, as the profiler's records are.
    std::vector<char*> others;
    for (int i = 0; i < 64; ++i) others.push_back(static_cast<char*>(std::malloc(300000)));
    torch::Tensor again = torch::empty({250, 1000});
    EXPECT_EQ(again.data_ptr(), first);
    again = torch::Tensor();
    // The freed block is not handed out for another size, larger or smaller.
    torch::Tensor larger = torch::empty({1000, 251}), smaller = torch::empty({1000, 249});
    EXPECT_NE(larger.data_ptr(), first);
    EXPECT_NE(smaller.data_ptr(), first);
    for (char* p : others) std::free(p);
  }
  EXPECT_EQ(c10::GetCPUAllocator(), before);
}

TEST(RecycledCpuMemory, TensorsOutliveItAndOneAtATime) {
  torch::Tensor made_before = torch::full({4096}, 2.0f);
  torch::Tensor made_inside;
  {
    RecycledCpuMemory recycled;
    ASSERT_TRUE(recycled.active());
    RecycledCpuMemory nested;
    EXPECT_FALSE(nested.active());
    made_inside = torch::full({4096}, 3.0f);
    made_before = torch::Tensor();  // freed while the recycler is installed: not its block
    torch::Tensor product = torch::mm(torch::ones({64, 64}), torch::ones({64, 64}));
    EXPECT_FLOAT_EQ(product[0][0].item<float>(), 64.0f);
  }
  // Freed after the recycler is gone, by the allocator it wrapped; its storage still resizes.
  EXPECT_FLOAT_EQ(made_inside.sum().item<float>(), 3.0f * 4096);
  made_inside.resize_({100000});
  made_inside.fill_(1.0f);
  EXPECT_FLOAT_EQ(made_inside.sum().item<float>(), 100000.0f);
  made_inside = torch::Tensor();
  RecycledCpuMemory again;
  EXPECT_TRUE(again.active());
}

TEST(RecycledCpuMemory, RawBlocksGoBackToTheAllocatorThatGaveThem) {
  // oneDNN's scratchpads use the raw interface, freeing through whichever allocator is current.
  void* before = c10::GetCPUAllocator()->raw_allocate(1 << 20);
  void* inside = nullptr;
  {
    RecycledCpuMemory recycled;
    ASSERT_TRUE(recycled.active());
    c10::GetCPUAllocator()->raw_deallocate(before);  // not the recycler's block: freed, not kept
    inside = c10::GetCPUAllocator()->raw_allocate(1 << 20);
    static_cast<char*>(inside)[0] = 1;
    c10::GetCPUAllocator()->raw_deallocate(inside);  // kept for the next block of that size
    void* reused = c10::GetCPUAllocator()->raw_allocate(1 << 20);
    EXPECT_EQ(reused, inside);
    inside = reused;
  }
  c10::GetCPUAllocator()->raw_deallocate(inside);  // freed after the scope, by the wrapped allocator
}

TEST(RecycledCpuMemory, ConvolutionsTrainUnderIt) {
  // oneDNN's scratchpads allocate and free through the CPU allocator's raw interface.
  torch::manual_seed(0);
  torch::Tensor x = torch::randn({4, 3, 16, 16}), w = torch::randn({8, 3, 3, 3}, torch::requires_grad());
  auto loss = [&] { return torch::conv2d(x, w, {}, 1, 1).square().sum(); };
  torch::Tensor plain = torch::autograd::grad({loss()}, {w})[0];
  RecycledCpuMemory recycled;
  ASSERT_TRUE(recycled.active());
  for (int step = 0; step < 3; ++step) EXPECT_TRUE(torch::allclose(torch::autograd::grad({loss()}, {w})[0], plain));
}

}  // namespace
}  // namespace gencli::bench
