#pragma once
// Decoding an image held in memory: what read_png does after reading the file, for callers
// (and the fuzz harness) that already hold the bytes. Implemented in png.cpp.
#include <string>

#include "io/png.h"

namespace gencli::png {

// Larger images are refused before decoding (a 8192 x 8192 photo is the largest that fits):
// a JPEG of a few hundred bytes can claim 17928 x 38664 pixels, which stb would allocate
// and decode for minutes.
inline constexpr long long kMaxImagePixels = 1LL << 26;

// The size a PNG or JPEG declares in its header (0 x 0 when the header does not read), and
// the checks decode_image makes before decoding: it throws the same DataError for bytes that
// are not a PNG or JPEG, or a JPEG stb cannot safely decode.
struct ImageSize {
  int width = 0, height = 0;
};
ImageSize probe_image(const std::string& bytes, const std::string& name);

// Decodes a PNG or JPEG (with stb_image); force_channels as in read_png.
// Throws a one-line DataError naming `name` on failure: a truncated JPEG, a corrupt PNG or
// JPEG, more than kMaxImagePixels, or bytes that are neither.
Image decode_image(const std::string& bytes, const std::string& name, int force_channels = 0);

}  // namespace gencli::png
