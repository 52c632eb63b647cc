#pragma once
#include "models/registry.h"

namespace gencli::models {

Family vae_family();

}  // namespace gencli::models
