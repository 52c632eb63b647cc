#pragma once
#include "models/registry.h"

namespace gencli::models {

Family pixelcnn_family();

}  // namespace gencli::models
