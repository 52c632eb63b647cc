#pragma once
#include "models/registry.h"

namespace gencli::models {

Family classifier_family();

}  // namespace gencli::models
