#pragma once
#include "models/registry.h"

namespace gencli::models {
Family gan_family();
}
