#pragma once
#include "models/registry.h"

namespace gencli::models {

Family wavenet_family();

}  // namespace gencli::models
