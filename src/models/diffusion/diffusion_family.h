#pragma once
#include "models/registry.h"

namespace gencli::models {

Family diffusion_family();

}  // namespace gencli::models
