#pragma once
// The parts of LibTorch's C++ frontend gencli uses: torch/torch.h minus data loaders,
// fft, linalg and friends, which only slow every compile down.
#include <torch/autograd.h>
#include <torch/cuda.h>
#include <torch/nn.h>
#include <torch/optim.h>
#include <torch/serialize.h>
#include <torch/types.h>
#include <torch/utils.h>
