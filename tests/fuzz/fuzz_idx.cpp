// IDX reader: decode_idx on the bytes, and read_idx / read_labeled_images on them as a file
// (raw or gzip, detected from the magic bytes).
#include <cstdint>
#include <string>

#include "data/idx.h"
#include "fuzz_common.h"

using namespace gencli;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::MemoryFile file("fuzz_idx");
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  fuzz::accepts("fuzz.idx", [&] {
    const idx::IdxArray a = idx::decode_idx(bytes, "fuzz.idx");
    // What decodes encodes back to the same bytes.
    if (idx::encode_idx(a) != bytes) fuzz::finding("decode_idx then encode_idx changed the bytes");
  });
  const std::string& path = file.hold(data, size);
  fuzz::accepts(path, [&] {
    const idx::IdxArray a = idx::read_idx(path);
    if (!idx::has_gzip_magic(bytes) && idx::encode_idx(a) != bytes)
      fuzz::finding("read_idx then encode_idx changed the bytes");
  });
  // The same file as both halves of a labelled set: images and labels must not both pass.
  fuzz::accepts(path, [&] {
    idx::read_labeled_images(path, path);
    fuzz::finding("one file read as both images and labels");
  });
  return 0;
}
