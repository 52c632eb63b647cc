#pragma once
// A trained autoencoder checkpoint as the frozen first stage of latent diffusion
// (model.latent_autoencoder): its config and weights, read from the file, gradients off.
#include <memory>
#include <string>

#include "models/autoencoder/autoencoder_model.h"

namespace gencli::autoencoder {

// `key` names the config key that gave `path`, for the one-line ConfigError when the file is
// missing, corrupt, not an autoencoder's, or its weights do not fit its own config.
std::shared_ptr<AutoencoderModel> load_first_stage(const std::string& path, const std::string& key);

}  // namespace gencli::autoencoder
