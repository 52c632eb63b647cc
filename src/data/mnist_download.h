#pragma once
// Fetching the real MNIST files, for users who have a network connection.
#include <string>
#include <vector>

namespace gencli::mnist_download {

struct MnistFile {
  const char* name;    // e.g. "train-images-idx3-ubyte.gz"
  const char* sha256;  // lowercase hex
};

// The four files and their SHA-256 sums, and the mirrors tried in order (base URLs
// ending in '/').
const std::vector<MnistFile>& mnist_files();
const std::vector<std::string>& mnist_mirrors();

// Tries to download the four MNIST .gz files into dir (created if missing) with the
// `curl` program, verifying each SHA-256. A download goes to a temporary name that is
// renamed only after its hash matches. Files already present with the right hash are not
// downloaded again. Returns true when all four are present and verified; otherwise false
// with *why (if not null) set to a one-line reason: no curl, network unreachable, checksum
// mismatch naming the file. Gives up at the first file no mirror can provide.
bool try_download_mnist(const std::string& dir, std::string* why);

}  // namespace gencli::mnist_download
