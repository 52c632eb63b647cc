#pragma once
// Counts the floating-point operations of the matrix products and convolutions LibTorch runs,
// forward and backward, by watching ATen's operator calls (RecordFunction). Elementwise work
// (activations, norms, optimizer updates) is left out: it is small next to the products in the
// networks here, so the count is a slight underestimate. A multiply-add counts as 2 FLOPs.
#include <cstdint>

namespace gencli {

class FlopCounter {
 public:
  FlopCounter();   // starts counting; only one counter may run at a time in a process
  ~FlopCounter();  // stops
  FlopCounter(const FlopCounter&) = delete;
  FlopCounter& operator=(const FlopCounter&) = delete;

  double flops() const;  // counted since construction

 private:
  uint64_t handle_;
};

}  // namespace gencli
