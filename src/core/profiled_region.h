#pragma once
// Names a stretch of gencli's own code (a kernel LibTorch does not know about) in LibTorch's
// profiler, the way LibTorch's operators name themselves, so `gencli bench train --profile`
// lists it rather than counting it as time in no operator. Costs a flag test when nothing records.
#include <ATen/record_function.h>

#include <vector>

#define GENCLI_PROFILED_REGION(name) RECORD_FUNCTION(name, std::vector<c10::IValue>())
