#pragma once
// PNG files: pixel encoding/decoding via stb plus tEXt chunks for provenance metadata.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gencli::png {

// (keyword, text) pairs stored as PNG tEXt chunks. Keywords are 1-79 bytes; neither part
// may contain a NUL byte.
using TextChunks = std::vector<std::pair<std::string, std::string>>;

// pixels: row-major uint8, channels 1 (gray) or 3 (RGB) (2 and 4 also work). Encodes with
// stb_image_write, inserts one tEXt chunk per pair right after IHDR and writes atomically.
void write_png(const std::string& path, int width, int height, int channels, const uint8_t* pixels,
               const TextChunks& text = {});

// The tEXt chunks of a PNG file, in file order. Throws DataError naming path if the file
// is not a PNG or its chunk structure or a tEXt CRC is broken.
TextChunks read_text_chunks(const std::string& path);

struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;  // row-major, `channels` bytes per pixel
};

// Decodes a PNG or JPEG file (with stb_image; see io/image_decode.h). force_channels 0 keeps
// the file's channel count; 1..4 converts. Throws DataError naming path on failure.
Image read_png(const std::string& path, int force_channels = 0);

// Byte-level helpers (exposed for tests).
// Inserts tEXt chunks after the IHDR chunk of an encoded PNG.
std::string insert_text_chunks(const std::string& png_bytes, const TextChunks& text,
                               const std::string& name_for_errors);
// Parses tEXt chunks from encoded PNG bytes.
TextChunks parse_text_chunks(const std::string& png_bytes, const std::string& name_for_errors);

}  // namespace gencli::png
