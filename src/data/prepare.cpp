#include "data/prepare.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "data/digit_sheet.h"
#include "data/idx.h"
#include "data/mnist_download.h"
#include "io/atomic_file.h"

namespace gencli {

namespace fs = std::filesystem;

namespace {

const char* kStems[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                        "t10k-labels-idx1-ubyte"};

std::string source_file(const std::string& dir) { return (fs::path(dir) / "SOURCE.txt").string(); }

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Where OpenCV's digits.png may be, in the order tried.
std::string find_digit_sheet(const std::string& given) {
  std::vector<std::string> candidates;
  if (!given.empty()) {
    if (!fs::exists(given)) throw UserError("data prepare: --sheet " + given + ": no such file");
    return given;
  }
  if (const char* env = std::getenv("GENCLI_DIGIT_SHEET")) candidates.push_back(env);
  candidates.push_back("/usr/share/doc/opencv-doc/examples/data/digits.png");
  candidates.push_back("data/cache/digits.png");
  for (const auto& c : candidates)
    if (fs::exists(c)) return c;
  return "";
}

std::string prepare_mnist(const PrepareOptions& o) {
  std::string why;
  if (o.offline) {
    why = "--offline was given";
  } else if (mnist_download::try_download_mnist(o.out_dir, &why)) {
    return "real MNIST (60,000 train / 10,000 test), downloaded and SHA-256 verified";
  }
  const std::string sheet = find_digit_sheet(o.sheet);
  if (sheet.empty())
    throw UserError("data prepare mnist: the real MNIST could not be downloaded (" + why +
                    ") and OpenCV's digit sheet was not found; run scripts/fetch_digit_sheet.sh data/cache "
                    "or pass --sheet PATH/digits.png");
  digits::Split split = digits::split_opencv_digit_sheet(sheet);
  const fs::path dir(o.out_dir);
  idx::write_idx((dir / kStems[0]).string(), split.train.images);
  idx::write_idx((dir / kStems[1]).string(), split.train.labels);
  idx::write_idx((dir / kStems[2]).string(), split.test.images);
  idx::write_idx((dir / kStems[3]).string(), split.test.labels);
  return "NOT the real MNIST: " + std::to_string(split.train.labels.dims[0]) + " train / " +
         std::to_string(split.test.labels.dims[0]) +
         " test real handwritten digits (MNIST-derived, 20x20 each, padded to 28x28) from OpenCV's sheet " + sheet +
         ", because the real MNIST could not be downloaded (" + why + ")";
}

std::string prepare_fashion_mnist(const PrepareOptions& o) {
  const fs::path source = "/usr/share/datasets/fashion-mnist";
  for (const char* stem : kStems) {
    const fs::path file = source / (std::string(stem) + ".gz");
    if (!fs::exists(file))
      throw UserError("data prepare fashion-mnist: " + file.string() +
                      " not found; install Debian's dataset-fashion-mnist package");
    fs::copy_file(file, fs::path(o.out_dir) / file.filename(), fs::copy_options::overwrite_existing);
  }
  return "Fashion-MNIST (60,000 train / 10,000 test) from Debian's dataset-fashion-mnist";
}

}  // namespace

std::string prepare_dataset(const PrepareOptions& o) {
  if (o.name != "mnist" && o.name != "fashion-mnist")
    throw UserError("data prepare: unknown data set \"" + o.name + "\" (known: mnist, fashion-mnist)");
  if (!o.force && fs::exists(source_file(o.out_dir)))
    return read_text(source_file(o.out_dir)) + " (already prepared; --force rebuilds)";
  fs::create_directories(o.out_dir);
  std::string description = o.name == "mnist" ? prepare_mnist(o) : prepare_fashion_mnist(o);
  // Read it back as training would, so a bad preparation fails here, not later.
  for (const char* split : {"train", "t10k"})
    idx::read_labeled_images(idx::find_split_file(o.out_dir, std::string(split) + "-images-idx3-ubyte"),
                             idx::find_split_file(o.out_dir, std::string(split) + "-labels-idx1-ubyte"));
  write_file_atomically(source_file(o.out_dir), description);  // written last: marks the set complete
  return description;
}

}  // namespace gencli
