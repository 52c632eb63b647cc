#pragma once
#include "models/registry.h"

namespace gencli::models {

Family gpt_family();

}  // namespace gencli::models
