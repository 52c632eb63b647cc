#pragma once
#include "models/registry.h"

namespace gencli::models {

Family autoencoder_family();

}  // namespace gencli::models
