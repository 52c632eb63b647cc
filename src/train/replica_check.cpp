#include "train/replica_check.h"

#include <fmt/format.h>

#include <sstream>
#include <vector>

#include "core/errors.h"
#include "io/sha256.h"
#include "train/collectives.h"

namespace gencli {

namespace {

std::string digest(const torch::Tensor& t) {
  const torch::Tensor bytes = t.detach().to(torch::kCPU).contiguous();
  Sha256 h;
  h.update(bytes.data_ptr(), static_cast<size_t>(bytes.numel()) * bytes.element_size());
  return h.hex_digest().substr(0, 16);
}

// "name digest" lines for every parameter and buffer, the EMA's under "ema.".
std::string model_digests(Model& model) {
  std::ostringstream out;
  auto add = [&](const std::string& prefix, torch::nn::Module& m) {
    for (const auto& p : m.named_parameters(true)) out << prefix << p.key() << ' ' << digest(p.value()) << '\n';
    for (const auto& b : m.named_buffers(true)) out << prefix << b.key() << ' ' << digest(b.value()) << '\n';
  };
  add("", model);
  if (model.ema) add("ema.", *model.ema);
  return out.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

void check_replicas_agree(Collectives& collectives, Model& model, const std::string& when) {
  const std::vector<std::string> all = collectives.gather("weights", model_digests(model));
  const std::vector<std::string> reference = lines(all[0]);
  for (size_t r = 1; r < all.size(); ++r) {
    const std::vector<std::string> other = lines(all[r]);
    for (size_t i = 0; i < reference.size() || i < other.size(); ++i) {
      if (i < reference.size() && i < other.size() && reference[i] == other[i]) continue;
      const std::string& line = i < reference.size() ? reference[i] : other[i];
      throw PeerFailure(fmt::format("rank {}: the model of rank {} differs from rank 0's {}: first in {}",
                                    collectives.rank(), r, when, line.substr(0, line.find(' '))));
    }
  }
}

void check_same_data(Collectives& collectives, const std::string& fingerprint, const std::string& data_root) {
  const std::vector<std::string> all = collectives.gather("data", fingerprint);
  for (size_t r = 1; r < all.size(); ++r)
    if (all[r] != all[0])
      throw PeerFailure(fmt::format("rank {}: rank {} reads other training data than rank 0 from {} (fingerprint "
                                    "{}, rank 0's {}): every process must see the same files",
                                    collectives.rank(), r, data_root, all[r], all[0]));
}

}  // namespace gencli
