#pragma once
// Heavy, stable headers compiled once (see cmake/PrecompiledHeaders.cmake).
#include "core/torch_api.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>
