// gencli's own parallel loops (LibTorch's at::parallel_for, which is header code) use every
// thread of LibTorch's pool: with LibTorch's OpenMP backend they do only when gencli is
// compiled with OpenMP as LibTorch is (cmake/TorchCompat.cmake); otherwise they run serially.
#include <gtest/gtest.h>

#include <ATen/Parallel.h>

#include <mutex>
#include <set>

#include "core/torch_api.h"

TEST(ParallelFor, UsesEveryThreadOfLibTorchsPool) {
  const int before = at::get_num_threads();
  at::set_num_threads(2);
  std::mutex mutex;
  std::set<int> threads;
  at::parallel_for(0, 64, 1, [&](int64_t, int64_t) {
    std::lock_guard<std::mutex> lock(mutex);
    threads.insert(at::get_thread_num());
  });
  at::set_num_threads(before);
  EXPECT_EQ(threads.size(), 2u) << "at::parallel_for in gencli's code ran on one thread: built without OpenMP?";
}
