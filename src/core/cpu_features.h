#pragma once
// What this processor can do, read from CPUID and from the register states the OS saves (XCR0):
// an instruction set counts only when both say so. x86-64 only; elsewhere every answer is false.
#include <cstdint>

namespace gencli {

// XCR0: the register states the OS saves on a context switch (0 when it cannot be read).
uint64_t os_saved_register_states();

// Native bfloat16 arithmetic: AVX512-BF16 (CPUID leaf 7, sub-leaf 1, EAX bit 5) with AVX-512
// state saved, or AMX-BF16 (leaf 7, EDX bit 22) with the tile state saved. Without either,
// LibTorch's CPU kernels emulate bfloat16 through float32 and run slower than float32 itself.
bool cpu_has_native_bf16();

}  // namespace gencli
