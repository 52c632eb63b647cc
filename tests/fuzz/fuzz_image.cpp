// Image decoding (stb: PNG, JPEG, ...) as read_png does it, and the PNG tEXt chunk parser
// and inserter.
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "io/image_decode.h"
#include "io/png.h"

using namespace gencli;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  // Images of legal size but over a million pixels decode for seconds under ASan; the
  // harness leaves them out to keep its pace (those over the limit are refused unread).
  png::ImageSize declared;
  fuzz::accepts("fuzz.img", [&] { declared = png::probe_image(bytes, "fuzz.img"); });
  const long long pixels = (long long)declared.width * declared.height;
  if (pixels > (1LL << 20) && pixels <= png::kMaxImagePixels) return 0;
  // 0 keeps the file's channels; image folders ask for 1 or 3.
  for (int channels : {0, 3}) {
    fuzz::accepts("fuzz.img", [&] {
      const png::Image img = png::decode_image(bytes, "fuzz.img", channels);
      if (img.width <= 0 || img.height <= 0 || img.channels < 1 || img.channels > 4 ||
          img.pixels.size() != size_t(img.width) * size_t(img.height) * size_t(img.channels))
        fuzz::finding("decode_image returned an inconsistent image");
    });
  }
  png::TextChunks text;
  if (!fuzz::accepts("fuzz.png", [&] { text = png::parse_text_chunks(bytes, "fuzz.png"); }))
    return 0;
  // Chunks read back are valid to write again, and insert_text_chunks keeps them readable.
  fuzz::accepts("fuzz.png", [&] {
    const std::string with = png::insert_text_chunks(bytes, {{"gencli:fuzz", "x"}}, "fuzz.png");
    const png::TextChunks back = png::parse_text_chunks(with, "fuzz.png");
    if (back.empty() || back.front() != png::TextChunks::value_type{"gencli:fuzz", "x"})
      fuzz::finding("an inserted tEXt chunk did not read back first");
  });
  return 0;
}
