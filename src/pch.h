#pragma once
// Heavy, stable headers compiled once (see cmake/PrecompiledHeaders.cmake). Not CLI11: it
// defines objects at namespace scope that every translation unit would construct, and
// only src/cli uses it.
#include "core/torch_api.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>
