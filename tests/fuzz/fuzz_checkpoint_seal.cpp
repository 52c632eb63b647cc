// Checkpoint seal: check_seal on any bytes either accepts them (sealed or a plain zip end) or
// refuses with one line naming the file; what it calls unsealed seals and then checks out.
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "io/checkpoint_seal.h"

using namespace gencli;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  SealState state = SealState::kSealed;
  if (!fuzz::accepts("fuzz.pt", [&] { state = check_seal(bytes, "fuzz.pt"); })) return 0;
  if (state == SealState::kUnsealed) {
    SealState again = SealState::kUnsealed;
    if (!fuzz::accepts("sealed.pt", [&] { again = check_seal(seal_archive(bytes), "sealed.pt"); }) ||
        again != SealState::kSealed)
      fuzz::finding("an archive check_seal called unsealed does not check out once sealed");
  }
  return 0;
}
