#pragma once
// `gencli data prepare NAME --out DIR`: puts an MNIST-format data set in DIR.
#include <string>

namespace gencli {

struct PrepareOptions {
  std::string name;            // "mnist" or "fashion-mnist"
  std::string out_dir;
  std::string sheet;           // OpenCV digit sheet (digits.png) for the offline MNIST fallback
  bool offline = false;        // skip the download attempt
  bool force = false;          // rebuild even if DIR already holds the set
};

// Returns a one-paragraph description of what was made (also saved as DIR/SOURCE.txt).
std::string prepare_dataset(const PrepareOptions& options);

}  // namespace gencli
