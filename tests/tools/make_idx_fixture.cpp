// make_idx_fixture: writes small synthetic MNIST-style IDX files for the end-to-end tests.
//
//   make_idx_fixture OUT_DIR [--train N] [--test N] [--classes C] [--gz]
//                    [--corrupt none|truncated|magic|label]
//
// Each image is a 28x28 seven-segment-style "digit" for its class (white strokes on a
// black background) with a little deterministic jitter in position, stroke width and
// brightness, so a tiny GAN can learn the classes in a few steps. Labels cycle 0..C-1.
// --corrupt breaks train-images (truncated: cut in half; magic: wrong magic number) or
// train-labels (label: one label set to 200) so the error paths can be tested.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "data/idx.h"
#include "io/atomic_file.h"

namespace {

using gencli::idx::IdxArray;

constexpr int kSide = 28;

struct Options {
  std::string out_dir;
  int train = 512;
  int test = 128;
  int classes = 10;
  bool gz = false;
  std::string corrupt = "none";
};

// splitmix64: a tiny generator whose output is the same on every platform, unlike the
// std distributions, so fixtures are byte-identical everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int uniform(int lo, int hi) { return lo + int(next() % uint64_t(hi - lo + 1)); }  // inclusive

 private:
  uint64_t state_;
};

// Segments a..g of a seven-segment display, as bits 0..6.
enum Segment { kTop, kTopRight, kBottomRight, kBottom, kBottomLeft, kTopLeft, kMiddle };

unsigned segment_mask(int cls) {
  static const unsigned kDigits[10] = {0x3f, 0x06, 0x5b, 0x4f, 0x66, 0x6d, 0x7d, 0x07, 0x7f, 0x6f};
  if (cls < 10) return kDigits[cls];
  return unsigned((cls * 53) % 127) + 1;  // any non-empty pattern for extra classes
}

void fill_rect(std::vector<uint8_t>& img, int x0, int y0, int x1, int y1, uint8_t v) {
  for (int y = std::max(y0, 0); y <= std::min(y1, kSide - 1); ++y) {
    for (int x = std::max(x0, 0); x <= std::min(x1, kSide - 1); ++x) {
      uint8_t& p = img[size_t(y) * kSide + size_t(x)];
      p = std::max(p, v);
    }
  }
}

// Soft edge: dark pixels next to a stroke get a third of the stroke's brightness, which
// makes the strokes look less like a bitmap font.
void add_halo(std::vector<uint8_t>& img) {
  const std::vector<uint8_t> src = img;
  for (int y = 0; y < kSide; ++y) {
    for (int x = 0; x < kSide; ++x) {
      if (src[size_t(y) * kSide + size_t(x)] != 0) continue;
      uint8_t brightest = 0;
      if (x > 0) brightest = std::max(brightest, src[size_t(y) * kSide + size_t(x - 1)]);
      if (x < kSide - 1) brightest = std::max(brightest, src[size_t(y) * kSide + size_t(x + 1)]);
      if (y > 0) brightest = std::max(brightest, src[size_t(y - 1) * kSide + size_t(x)]);
      if (y < kSide - 1) brightest = std::max(brightest, src[size_t(y + 1) * kSide + size_t(x)]);
      img[size_t(y) * kSide + size_t(x)] = uint8_t(brightest / 3);
    }
  }
}

std::vector<uint8_t> draw_digit(int cls, Rng& rng) {
  std::vector<uint8_t> img(size_t(kSide) * kSide, 0);
  const int dx = rng.uniform(-2, 2), dy = rng.uniform(-2, 2);
  const int t = rng.uniform(2, 3);  // stroke width
  const auto v = uint8_t(rng.uniform(200, 255));
  const int left = 9 + dx, right = 17 + dx, top = 5 + dy, mid = 13 + dy, bottom = 21 + dy;
  const unsigned mask = segment_mask(cls);
  auto on = [mask](Segment s) { return (mask >> s) & 1u; };
  if (on(kTop)) fill_rect(img, left, top, right + t - 1, top + t - 1, v);
  if (on(kMiddle)) fill_rect(img, left, mid, right + t - 1, mid + t - 1, v);
  if (on(kBottom)) fill_rect(img, left, bottom, right + t - 1, bottom + t - 1, v);
  if (on(kTopLeft)) fill_rect(img, left, top, left + t - 1, mid + t - 1, v);
  if (on(kBottomLeft)) fill_rect(img, left, mid, left + t - 1, bottom + t - 1, v);
  if (on(kTopRight)) fill_rect(img, right, top, right + t - 1, mid + t - 1, v);
  if (on(kBottomRight)) fill_rect(img, right, mid, right + t - 1, bottom + t - 1, v);
  add_halo(img);
  return img;
}

struct Split {
  IdxArray images, labels;
};

Split make_split(int count, int classes, uint64_t seed) {
  Rng rng(seed);
  Split s;
  s.images.dims = {count, kSide, kSide};
  s.labels.dims = {count};
  for (int i = 0; i < count; ++i) {
    const int cls = i % classes;
    const std::vector<uint8_t> img = draw_digit(cls, rng);
    s.images.data.insert(s.images.data.end(), img.begin(), img.end());
    s.labels.data.push_back(uint8_t(cls));
  }
  return s;
}

// Writes one file; removes the other variant (raw vs .gz) so a stale file from an
// earlier run cannot shadow this one.
void write_file(const Options& o, const std::string& stem, std::string bytes, bool cut_in_half) {
  const std::string raw = o.out_dir + "/" + stem;
  const std::string path = o.gz ? raw + ".gz" : raw;
  std::filesystem::remove(o.gz ? raw : raw + ".gz");
  if (o.gz) bytes = gencli::idx::gzip_compress(bytes);
  if (cut_in_half) bytes.resize(bytes.size() / 2);
  gencli::write_file_atomically(path, bytes);
  std::cout << "wrote " << path << " (" << bytes.size() << " bytes)\n";
}

void write_images(const Options& o, const std::string& stem, const IdxArray& images,
                  bool is_train) {
  std::string bytes = gencli::idx::encode_idx(images);
  if (is_train && o.corrupt == "magic") {
    bytes.replace(0, 4, "\xde\xad\xbe\xef");
    std::cout << "corrupted: wrong magic number 0xdeadbeef in " << stem << "\n";
  }
  const bool cut = is_train && o.corrupt == "truncated";
  if (cut) std::cout << "corrupted: " << stem << " cut in half\n";
  write_file(o, stem, bytes, cut);
}

void write_labels(const Options& o, const std::string& stem, IdxArray labels, bool is_train) {
  if (is_train && o.corrupt == "label" && !labels.data.empty()) {
    const size_t at = std::min<size_t>(3, labels.data.size() - 1);
    labels.data[at] = 200;
    std::cout << "corrupted: " << stem << " label at index " << at << " set to 200\n";
  }
  write_file(o, stem, gencli::idx::encode_idx(labels), false);
}

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "make_idx_fixture: " << problem << "\n"
            << "usage: make_idx_fixture OUT_DIR [--train N] [--test N] [--classes C] [--gz]"
               " [--corrupt none|truncated|magic|label]\n";
  std::exit(2);
}

int parse_int(const std::string& flag, const std::string& value, int lo, int hi) {
  char* end = nullptr;
  const long v = std::strtol(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || v < lo || v > hi) {
    usage(flag + " needs a whole number in " + std::to_string(lo) + ".." + std::to_string(hi) +
          ", got '" + value + "'");
  }
  return int(v);
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    // Accept both "--train 64" and "--train=64".
    const size_t eq = arg.find('=');
    const bool has_inline = arg.rfind("--", 0) == 0 && eq != std::string::npos;
    if (has_inline) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    auto next_value = [&]() -> std::string {
      if (has_inline) return value;
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--train") {
      o.train = parse_int(arg, next_value(), 0, 1000000);
    } else if (arg == "--test") {
      o.test = parse_int(arg, next_value(), 0, 1000000);
    } else if (arg == "--classes") {
      o.classes = parse_int(arg, next_value(), 1, 100);
    } else if (arg == "--gz") {
      o.gz = true;
    } else if (arg == "--corrupt") {
      o.corrupt = next_value();
    } else if (arg.rfind("--", 0) == 0) {
      usage("unknown option " + arg);
    } else if (o.out_dir.empty()) {
      o.out_dir = arg;
    } else {
      usage("more than one OUT_DIR given");
    }
  }
  if (o.out_dir.empty()) usage("missing OUT_DIR");
  if (o.corrupt != "none" && o.corrupt != "truncated" && o.corrupt != "magic" &&
      o.corrupt != "label") {
    usage("--corrupt must be none, truncated, magic or label, got '" + o.corrupt + "'");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_args(argc, argv);
  try {
    std::filesystem::create_directories(o.out_dir);
    const Split train = make_split(o.train, o.classes, 1);
    const Split test = make_split(o.test, o.classes, 2);
    write_images(o, gencli::idx::kTrainImagesStem, train.images, true);
    write_labels(o, gencli::idx::kTrainLabelsStem, train.labels, true);
    write_images(o, gencli::idx::kTestImagesStem, test.images, false);
    write_labels(o, gencli::idx::kTestLabelsStem, test.labels, false);
  } catch (const std::exception& e) {
    std::cerr << "make_idx_fixture: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
