#pragma once
// Data-parallel processes must hold the same model: the same parameters and buffers (and EMA)
// bit for bit. Checked at the start of a run and at every checkpoint; a mismatch names the
// first differing tensor rather than letting the replicas drift apart unseen.
#include <string>

#include "models/model.h"

namespace gencli {

class Collectives;

// Throws PeerFailure naming the rank and the first tensor that differs from rank 0's.
// `when`: "at the start", "at step 200".
void check_replicas_agree(Collectives& collectives, Model& model, const std::string& when);

// Throws PeerFailure when a process's training data (its fingerprint) is not rank 0's.
void check_same_data(Collectives& collectives, const std::string& fingerprint, const std::string& data_root);

}  // namespace gencli
