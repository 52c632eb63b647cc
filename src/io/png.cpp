#include "io/png.h"

#include <stb_image.h>
#include <stb_image_write.h>
#include <zlib.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "io/atomic_file.h"
#include "io/image_decode.h"

namespace gencli::png {
namespace {

const std::string kSignature("\x89PNG\r\n\x1a\n", 8);
constexpr size_t kIhdrChunkSize = 4 + 4 + 13 + 4;  // length, type, data, CRC

uint32_t load_be32(const std::string& b, size_t at) {
  const auto* p = reinterpret_cast<const uint8_t*>(b.data()) + at;
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

void append_be32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(char((v >> shift) & 0xff));
}

// A PNG chunk's CRC covers its type and data, not its length.
uint32_t chunk_crc(const std::string& type_and_data) {
  return static_cast<uint32_t>(crc32(crc32(0L, Z_NULL, 0),
                                     reinterpret_cast<const Bytef*>(type_and_data.data()),
                                     static_cast<uInt>(type_and_data.size())));
}

void check_text_pair(const std::string& keyword, const std::string& text, const std::string& name) {
  if (keyword.empty() || keyword.size() > 79) {
    throw UserError(name + ": PNG text keyword '" + keyword + "' must be 1-79 bytes long");
  }
  if (keyword.find('\0') != std::string::npos || text.find('\0') != std::string::npos) {
    throw UserError(name + ": PNG text chunk '" + keyword + "' must not contain NUL bytes");
  }
}

std::string encode_text_chunk(const std::string& keyword, const std::string& text) {
  std::string body = "tEXt" + keyword;
  body.push_back('\0');
  body += text;
  std::string chunk;
  append_be32(chunk, static_cast<uint32_t>(body.size() - 4));
  chunk += body;
  append_be32(chunk, chunk_crc(body));
  return chunk;
}

void append_to_string(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
}

std::string encode_pixels(const std::string& path, int width, int height, int channels,
                          const uint8_t* pixels) {
  if (width <= 0 || height <= 0 || channels < 1 || channels > 4 || pixels == nullptr) {
    throw UserError(path + ": cannot write PNG of " + std::to_string(width) + "x" +
                    std::to_string(height) + "x" + std::to_string(channels) +
                    " (need positive size, 1-4 channels and pixel data)");
  }
  std::string out;
  if (!stbi_write_png_to_func(append_to_string, &out, width, height, channels, pixels,
                              width * channels)) {
    throw UserError(path + ": PNG encoding failed");
  }
  return out;
}

// Calls visit(type, offset, data length) for each chunk before IEND, and returns what is
// wrong with the file's chunk layout ("" if nothing): a chunk claiming more bytes than the
// file has left, or no IEND chunk.
template <class Visit>
std::string for_each_chunk(const std::string& bytes, Visit visit) {
  size_t at = kSignature.size();
  while (at < bytes.size()) {
    if (bytes.size() - at < 12) return "truncated: a partial chunk at byte " + std::to_string(at);
    const uint64_t length = load_be32(bytes, at);
    if (length > bytes.size() - at - 12) {
      return "truncated: the chunk at byte " + std::to_string(at) + " declares " +
             std::to_string(length) + " bytes, the file has " +
             std::to_string(bytes.size() - at - 12) + " left";
    }
    const std::string type = bytes.substr(at + 4, 4);
    if (type == "IEND") return "";
    visit(type, at, size_t(length));
    at += 12 + length;
  }
  return "truncated: it has no IEND chunk";
}

const std::string kJpegStart("\xff\xd8\xff", 3);

// stb_image 2.27 (Debian 12's) writes past a Huffman table when a JPEG's DHT segment
// declares more than 256 codes. stb starts a DHT wherever it meets the bytes FF C4, so
// every such place is read here as stb would read it (bytes past the end read as 0) and a
// table too large for stb is refused before stb sees it.
void check_jpeg_huffman_tables(const std::string& bytes, const std::string& name) {
  const auto byte_at = [&](size_t i) -> int { return i < bytes.size() ? uint8_t(bytes[i]) : 0; };
  for (size_t at = bytes.find("\xff\xc4"); at != std::string::npos;
       at = bytes.find("\xff\xc4", at + 1)) {
    size_t p = at + 2;
    long left = (long(byte_at(p)) << 8 | byte_at(p + 1)) - 2;
    p += 2;
    while (left > 0) {
      const int q = byte_at(p++);
      if ((q >> 4) > 1 || (q & 15) > 3) break;  // stb rejects the table itself
      long codes = 0;
      for (int i = 0; i < 16; ++i) codes += byte_at(p++);
      if (codes > 256) {
        throw DataError(name + ": cannot decode image: not a decodable JPEG (the Huffman table at byte " +
                        std::to_string(at) + " declares " + std::to_string(codes) +
                        " codes, at most 256 are possible)");
      }
      p += size_t(codes);
      left -= 17 + codes;
    }
  }
}

// stb_image 2.27 decodes a scan with the Huffman tables it names whether or not a DHT segment
// defined them, reading uninitialised tables out of bounds (found by tests/fuzz/fuzz_image).
// The header is walked segment by segment, as stb reads it, up to the first scan; after it
// (entropy-coded data stuffs every FF byte), each FF C4 and FF DA is taken as the marker stb
// would meet. A scan that needs an undefined table is refused. Progressive scans need only
// the tables they decode with: DC tables for a first DC scan, AC tables for AC scans.
void check_jpeg_scans_use_defined_tables(const std::string& bytes, const std::string& name) {
  const auto byte_at = [&](size_t i) -> int { return i < bytes.size() ? uint8_t(bytes[i]) : 0; };
  bool defined[2][4] = {};
  bool progressive = false;
  const auto define_tables = [&](size_t segment, size_t end) {
    for (size_t p = segment; p < end;) {
      const int q = byte_at(p);
      if ((q >> 4) > 1 || (q & 15) > 3) return;  // stb rejects the table itself
      size_t codes = 0;
      for (int i = 0; i < 16; ++i) codes += size_t(byte_at(p + 1 + i));
      defined[q >> 4][q & 15] = true;
      p += 17 + codes;
    }
  };
  const auto check_scan = [&](size_t marker) {
    const size_t segment = marker + 4;
    const int components = byte_at(segment);
    const int spectral_start = byte_at(segment + 1 + 2 * components);
    const int high_bit = byte_at(segment + 3 + 2 * components) >> 4;
    const bool needs_dc = !progressive || (spectral_start == 0 && high_bit == 0);
    const bool needs_ac = !progressive || spectral_start > 0;
    for (int k = 0; k < components; ++k) {
      const int tables = byte_at(segment + 2 + 2 * k), dc = tables >> 4, ac = tables & 15;
      if (dc > 3 || ac > 3) return;  // stb rejects the scan itself
      if ((needs_dc && !defined[0][dc]) || (needs_ac && !defined[1][ac]))
        throw DataError(name + ": cannot decode image: not a decodable JPEG (the scan at byte " +
                        std::to_string(marker) + " uses a Huffman table no DHT segment defines)");
    }
  };
  size_t p = 2;  // after SOI
  for (;;) {
    if (p + 4 > bytes.size()) return;
    if (byte_at(p) != 0xff) {  // stb looks for the next marker byte by byte
      ++p;
      continue;
    }
    while (byte_at(p + 1) == 0xff) ++p;  // fill bytes
    const int marker = byte_at(p + 1);
    const size_t length = size_t(byte_at(p + 2) << 8 | byte_at(p + 3));
    if (marker == 0xd9 || length < 2) return;
    if (marker == 0xc2) progressive = true;
    if (marker == 0xc4) define_tables(p + 4, p + 2 + length);
    if (marker == 0xda) {
      check_scan(p);
      break;
    }
    p += 2 + length;
  }
  for (size_t at = p + 2; (at = bytes.find('\xff', at)) != std::string::npos; ++at) {
    const int marker = byte_at(at + 1);
    if (marker == 0xc4) define_tables(at + 4, at + 2 + size_t(byte_at(at + 2) << 8 | byte_at(at + 3)));
    if (marker == 0xda) check_scan(at);
  }
}

// Why stb could not decode `bytes`, in words for the file's apparent format. stb's own
// reason is the last one any of its decoders set (it may be unset, and its PNG probe leaves
// "bad png sig" behind for every other format), so it is shown only where it fits.
std::string decode_failure(const std::string& bytes) {
  const char* reason = stbi_failure_reason();
  std::string stb = reason != nullptr ? reason : "";
  for (char& c : stb)  // stb copies a chunk's type, whatever its bytes, into the reason
    if (c < 0x20 || c > 0x7e) c = '?';
  const bool png_reason = stb.rfind("bad png sig", 0) == 0;
  const std::string why = stb.empty() || png_reason ? "" : " (" + stb + ")";
  if (bytes.compare(0, kSignature.size(), kSignature) == 0) {
    return "not a decodable PNG" + why;
  }
  if (bytes.compare(0, kJpegStart.size(), kJpegStart) == 0) {
    // Every JPEG ends with the end-of-image marker FF D9.
    if (bytes.rfind("\xff\xd9") == std::string::npos)
      return "truncated JPEG (it has no end-of-image marker)";
    return "not a decodable JPEG" + why;
  }
  return "not a PNG or JPEG file";
}

}  // namespace

std::string insert_text_chunks(const std::string& png_bytes, const TextChunks& text,
                               const std::string& name) {
  if (png_bytes.compare(0, kSignature.size(), kSignature) != 0 ||
      png_bytes.size() < kSignature.size() + kIhdrChunkSize ||
      png_bytes.compare(kSignature.size() + 4, 4, "IHDR") != 0 ||
      load_be32(png_bytes, kSignature.size()) != kIhdrChunkSize - 12) {
    // The chunks go right after IHDR, whose length the PNG standard fixes at 13 bytes.
    throw DataError(name + ": not a PNG starting with a 13-byte IHDR chunk");
  }
  std::string chunks;
  for (const auto& [keyword, value] : text) {
    check_text_pair(keyword, value, name);
    chunks += encode_text_chunk(keyword, value);
  }
  std::string out = png_bytes;
  out.insert(kSignature.size() + kIhdrChunkSize, chunks);
  return out;
}

TextChunks parse_text_chunks(const std::string& bytes, const std::string& name) {
  if (bytes.compare(0, kSignature.size(), kSignature) != 0) {
    throw DataError(name + ": not a PNG file (bad signature)");
  }
  TextChunks out;
  const std::string broken = for_each_chunk(bytes, [&](const std::string& type, size_t at, size_t length) {
    if (type != "tEXt") return;
    const std::string body = bytes.substr(at + 4, 4 + length);
    if (chunk_crc(body) != load_be32(bytes, at + 8 + length)) {
      throw DataError(name + ": tEXt chunk at byte " + std::to_string(at) + " has a bad CRC");
    }
    const std::string data = body.substr(4);
    const size_t nul = data.find('\0');
    if (nul == std::string::npos) {
      throw DataError(name + ": tEXt chunk at byte " + std::to_string(at) +
                      " has no keyword separator");
    }
    out.emplace_back(data.substr(0, nul), data.substr(nul + 1));
  });
  if (!broken.empty()) throw DataError(name + ": PNG chunks unreadable (" + broken + ")");
  return out;
}

void write_png(const std::string& path, int width, int height, int channels, const uint8_t* pixels,
               const TextChunks& text) {
  const std::string encoded = encode_pixels(path, width, height, channels, pixels);
  write_file_atomically(path, insert_text_chunks(encoded, text, path));
}

TextChunks read_text_chunks(const std::string& path) {
  return parse_text_chunks(read_file_bytes(path), path);
}

ImageSize probe_image(const std::string& bytes, const std::string& name) {
  // Only PNG and JPEG reach stb: image folders hold nothing else, and stb's other decoders
  // need not be trusted with a user's files.
  const bool is_png = bytes.compare(0, kSignature.size(), kSignature) == 0;
  const bool is_jpeg = bytes.compare(0, kJpegStart.size(), kJpegStart) == 0;
  if (!is_png && !is_jpeg) throw DataError(name + ": cannot decode image: not a PNG or JPEG file");
  if (is_jpeg) {
    check_jpeg_huffman_tables(bytes, name);
    check_jpeg_scans_use_defined_tables(bytes, name);
  }
  // Debian's stb 2.27 grows its IDAT buffer to the length a chunk declares before reading
  // it, so a 100-byte file claiming a 1.3 GB chunk made it allocate 1.3 GB (found by
  // tests/fuzz/fuzz_image): every chunk must fit in the file before stb sees it.
  if (is_png) {
    const std::string broken = for_each_chunk(bytes, [](const std::string&, size_t, size_t) {});
    if (!broken.empty())
      throw DataError(name + ": cannot decode image: not a decodable PNG (" + broken + ")");
  }
  if (bytes.size() > size_t(INT32_MAX))
    throw DataError(name + ": image file is too large (over 2 GiB)");
  ImageSize size;
  int channels = 0;
  if (stbi_info_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), static_cast<int>(bytes.size()),
                            &size.width, &size.height, &channels) == 0)
    return {};
  return size;
}

Image decode_image(const std::string& bytes, const std::string& name, int force_channels) {
  if (force_channels < 0 || force_channels > 4) {
    throw UserError(name + ": cannot read image as " + std::to_string(force_channels) +
                    " channels");
  }
  if (bytes.empty()) throw DataError(name + ": cannot decode image: the file is empty");
  const ImageSize size = probe_image(bytes, name);
  if (static_cast<long long>(size.width) * size.height > kMaxImagePixels) {
    throw DataError(name + ": cannot decode image: it is " + std::to_string(size.width) + "x" +
                    std::to_string(size.height) + ", more than " + std::to_string(kMaxImagePixels) +
                    " pixels (downscale it first)");
  }
  Image img;
  int file_channels = 0;
  stbi_uc* pixels = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                                          static_cast<int>(bytes.size()), &img.width, &img.height,
                                          &file_channels, force_channels);
  if (pixels == nullptr) throw DataError(name + ": cannot decode image: " + decode_failure(bytes));
  img.channels = force_channels != 0 ? force_channels : file_channels;
  img.pixels.assign(pixels, pixels + size_t(img.width) * size_t(img.height) * size_t(img.channels));
  stbi_image_free(pixels);
  return img;
}

Image read_png(const std::string& path, int force_channels) {
  if (force_channels < 0 || force_channels > 4) {
    throw UserError(path + ": cannot read image as " + std::to_string(force_channels) +
                    " channels");
  }
  return decode_image(read_file_bytes(path), path, force_channels);
}

}  // namespace gencli::png
