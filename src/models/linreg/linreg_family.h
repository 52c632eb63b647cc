#pragma once
#include "models/registry.h"

namespace gencli::models {
Family linreg_family();
}
