#pragma once
#include "core/torch_api.h"

#include <string>

namespace gencli {

// "auto" picks CUDA when LibTorch sees a GPU, else CPU. "cuda" or "cuda:N" on a machine or
// build without CUDA is a UserError naming the value and `what` gave it (a key or a flag).
torch::Device resolve_device(const std::string& spec, const std::string& what = "train.device");

}  // namespace gencli
