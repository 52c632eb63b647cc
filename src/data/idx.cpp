#include "data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "io/atomic_file.h"

namespace gencli::idx {
namespace {

constexpr uint8_t kUnsignedByteType = 0x08;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

uint32_t load_be32(const std::string& b, size_t at) {
  const auto* p = reinterpret_cast<const uint8_t*>(b.data()) + at;
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

void append_be32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(char((v >> shift) & 0xff));
}

// Product of dims, or -1 when a dim is negative or the product is absurdly large (more
// than 1 TiB), so corrupt headers fail cleanly instead of overflowing.
int64_t element_count(const std::vector<int64_t>& dims) {
  constexpr int64_t kMax = int64_t(1) << 40;
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) return -1;
    if (d != 0 && n > kMax / d) return -1;
    n *= d;
  }
  return n;
}

std::string join_dims(const std::vector<int64_t>& dims) {
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
  return s;
}

// How a header reads to a person: "60000 images of 28x28", "60000 items", "dims 2x3x4x5".
std::string describe_dims(const std::vector<int64_t>& dims) {
  if (dims.size() == 3) {
    return std::to_string(dims[0]) + " images of " + std::to_string(dims[1]) + "x" +
           std::to_string(dims[2]);
  }
  if (dims.size() == 1) return std::to_string(dims[0]) + " items";
  return "dims " + join_dims(dims);
}

size_t header_size(size_t ndims) { return 4 + 4 * ndims; }

void check_magic(const std::string& bytes, const std::string& name) {
  if (bytes.empty()) throw DataError(name + ": file is empty");
  if (bytes.size() < 4) {
    throw DataError(name + ": too short for an IDX header: file has " +
                    std::to_string(bytes.size()) + " bytes");
  }
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  if (p[0] != 0 || p[1] != 0) {
    throw DataError(name + ": not an IDX file: bad magic number " + hex32(load_be32(bytes, 0)) +
                    " (expected 00 00 08 <ndims>)");
  }
  if (p[2] != kUnsignedByteType) {
    char type[8];
    std::snprintf(type, sizeof type, "0x%02x", p[2]);
    throw DataError(name + ": unsupported IDX element type " + type + " in magic number " +
                    hex32(load_be32(bytes, 0)) + " (only unsigned byte, 0x08, is supported)");
  }
  if (p[3] == 0) throw DataError(name + ": bad IDX magic number: 0 dimensions");
}

std::vector<int64_t> parse_dims(const std::string& bytes, const std::string& name) {
  const size_t ndims = static_cast<uint8_t>(bytes[3]);
  if (bytes.size() < header_size(ndims)) {
    throw DataError(name + ": truncated header: " + std::to_string(ndims) + " dimensions need " +
                    std::to_string(header_size(ndims)) + " bytes, file has " +
                    std::to_string(bytes.size()) + " bytes");
  }
  std::vector<int64_t> dims(ndims);
  for (size_t i = 0; i < ndims; ++i) dims[i] = load_be32(bytes, 4 + 4 * i);
  return dims;
}

// Result of inflating a gzip file: `complete` is false when the input ended before the
// gzip trailer, i.e. the file was cut off.
struct Inflated {
  std::string bytes;
  bool complete = false;
};

class InflateStream {
 public:
  explicit InflateStream(const std::string& name) : name_(name) {
    std::memset(&zs_, 0, sizeof zs_);
    // 16 + MAX_WBITS: expect a gzip wrapper (and verify its CRC and length).
    if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK) throw DataError(name + ": zlib init failed");
  }
  ~InflateStream() { inflateEnd(&zs_); }
  InflateStream(const InflateStream&) = delete;
  InflateStream& operator=(const InflateStream&) = delete;

  Inflated run(const std::string& in) {
    Inflated out;
    out.bytes.resize(std::max<size_t>(in.size() * 4, 1 << 16));
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs_.avail_in = static_cast<uInt>(in.size());
    size_t produced = 0;
    for (;;) {
      if (produced == out.bytes.size()) out.bytes.resize(out.bytes.size() * 2);
      zs_.next_out = reinterpret_cast<Bytef*>(&out.bytes[produced]);
      zs_.avail_out = static_cast<uInt>(std::min<size_t>(out.bytes.size() - produced, 1u << 30));
      const uInt before = zs_.avail_out;
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      produced += before - zs_.avail_out;
      if (rc == Z_STREAM_END) {
        if (!next_member_follows()) break;
        inflateReset(&zs_);
        continue;
      }
      if (rc == Z_BUF_ERROR && zs_.avail_in == 0) break;  // input ran out mid-stream
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw DataError(name_ + ": corrupt gzip data (" +
                        (zs_.msg ? zs_.msg : "zlib error " + std::to_string(rc)) + ")");
      }
    }
    out.complete = zs_.avail_in == 0 && last_rc_was_end_;
    out.bytes.resize(produced);
    return out;
  }

 private:
  // After one gzip member ends, another may follow (concatenated gzip files are legal);
  // anything else is garbage.
  bool next_member_follows() {
    last_rc_was_end_ = true;
    if (zs_.avail_in == 0) return false;
    if (zs_.avail_in >= 2 && zs_.next_in[0] == 0x1f && zs_.next_in[1] == 0x8b) {
      last_rc_was_end_ = false;
      return true;
    }
    throw DataError(name_ + ": " + std::to_string(zs_.avail_in) +
                    " bytes of trailing garbage after the gzip stream");
  }

  std::string name_;
  z_stream zs_;
  bool last_rc_was_end_ = false;
};

}  // namespace

bool has_gzip_magic(const std::string& bytes) {
  return bytes.size() >= 2 && uint8_t(bytes[0]) == 0x1f && uint8_t(bytes[1]) == 0x8b;
}

std::string gzip_compress(const std::string& bytes) {
  z_stream zs;
  std::memset(&zs, 0, sizeof zs);
  // 16 + MAX_WBITS: write a gzip wrapper rather than a bare zlib stream.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("gzip_compress: zlib init failed");
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(bytes.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  zs.avail_in = static_cast<uInt>(bytes.size());
  zs.next_out = reinterpret_cast<Bytef*>(&out[0]);
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip_compress: deflate failed");
  return out;
}

std::string encode_idx(const IdxArray& a) {
  const int64_t n = element_count(a.dims);
  if (a.dims.empty() || a.dims.size() > 255 || n < 0 || uint64_t(n) != a.data.size()) {
    throw DataError("cannot encode IDX array: dims " + join_dims(a.dims) + " do not match " +
                    std::to_string(a.data.size()) + " data bytes");
  }
  std::string out;
  out.reserve(header_size(a.dims.size()) + a.data.size());
  out.push_back(0);
  out.push_back(0);
  out.push_back(char(kUnsignedByteType));
  out.push_back(char(a.dims.size()));
  for (int64_t d : a.dims) append_be32(out, static_cast<uint32_t>(d));
  out.append(reinterpret_cast<const char*>(a.data.data()), a.data.size());
  return out;
}

IdxArray decode_idx(const std::string& bytes, const std::string& name, const std::string& after) {
  check_magic(bytes, name);
  IdxArray a;
  a.dims = parse_dims(bytes, name);
  const int64_t n = element_count(a.dims);
  if (n < 0) throw DataError(name + ": implausible IDX dims " + join_dims(a.dims));
  const size_t header = header_size(a.dims.size());
  const uint64_t expected = header + uint64_t(n);
  const std::string says =
      "header says " + describe_dims(a.dims) + " (" + std::to_string(expected) + " bytes)";
  if (bytes.size() < expected) {
    throw DataError(name + ": truncated: " + says + ", file has " + std::to_string(bytes.size()) +
                    " bytes" + after);
  }
  if (bytes.size() > expected) {
    throw DataError(name + ": " + std::to_string(bytes.size() - expected) +
                    " bytes of trailing garbage: " + says + ", file has " +
                    std::to_string(bytes.size()) + " bytes" + after);
  }
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return a;
}

namespace {

// An IDX file of MNIST's kind is either images (rank 3) or labels (rank 1); a file of the
// other kind would otherwise fail later as "truncated" or "trailing garbage".
void check_rank(const std::string& bytes, const std::string& path, size_t want) {
  if (bytes.size() < 4) return;  // decode_idx reports the short file
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  if (p[0] != 0 || p[1] != 0 || p[2] != kUnsignedByteType || p[3] == 0 || p[3] == want) return;
  const std::string magic = "magic number " + hex32(load_be32(bytes, 0));
  if (want == 3 && p[3] == 1) {
    throw DataError(path + ": expected an image file but it holds labels (" + magic +
                    ", 1 dim; an image file has 0x00000803, 3 dims N x H x W)");
  }
  if (want == 1 && p[3] == 3) {
    throw DataError(path + ": expected a label file but it holds images (" + magic +
                    ", 3 dims; a label file has 0x00000801, 1 dim N)");
  }
  throw DataError(path + (want == 3 ? ": expected an image file (3 dims N x H x W), got "
                                    : ": expected a label file (1 dim N), got ") +
                  std::to_string(p[3]) + " dims (" + magic + ")");
}

// read_idx, refusing a file whose magic number gives another rank than `want` (0: any).
IdxArray read_idx_of_rank(const std::string& path, size_t want) {
  std::string bytes = read_file_bytes(path);
  if (!has_gzip_magic(bytes)) {
    if (want) check_rank(bytes, path, want);
    return decode_idx(bytes, path);
  }
  const Inflated raw = InflateStream(path).run(bytes);
  bytes.clear();
  if (want) check_rank(raw.bytes, path, want);
  const std::string cut = raw.complete ? "" : " (the gzip stream is cut off)";
  IdxArray a = decode_idx(raw.bytes, path, " after decompression" + cut);
  if (!raw.complete) {
    throw DataError(path +
                    ": truncated gzip stream (the data is complete but the gzip "
                    "trailer is missing; download the file again)");
  }
  return a;
}

}  // namespace

IdxArray read_idx(const std::string& path) { return read_idx_of_rank(path, 0); }

void write_idx(const std::string& path, const IdxArray& a) {
  std::string bytes = encode_idx(a);
  if (ends_with(path, ".gz")) bytes = gzip_compress(bytes);
  write_file_atomically(path, bytes);
}

LabeledImages read_labeled_images(const std::string& images_path, const std::string& labels_path,
                                  int num_classes) {
  LabeledImages out{read_idx_of_rank(images_path, 3), read_idx_of_rank(labels_path, 1)};
  const auto& idims = out.images.dims;
  const auto& ldims = out.labels.dims;
  if (idims[0] != ldims[0]) {
    throw DataError(labels_path + ": has " + std::to_string(ldims[0]) + " labels but " +
                    images_path + " has " + std::to_string(idims[0]) + " images");
  }
  const auto& labels = out.labels.data;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= num_classes) {
      throw DataError(labels_path + ": label at index " + std::to_string(i) + " is " +
                      std::to_string(labels[i]) + ", expected 0.." +
                      std::to_string(num_classes - 1));
    }
  }
  return out;
}

std::string find_split_file(const std::string& dir, const std::string& stem) {
  const std::string base = (dir.empty() || dir.back() == '/') ? dir + stem : dir + "/" + stem;
  std::error_code ec;
  if (std::filesystem::is_regular_file(base, ec)) return base;
  if (std::filesystem::is_regular_file(base + ".gz", ec)) return base + ".gz";
  throw DataError("MNIST file " + stem + " not found: tried " + base + " and " + base + ".gz");
}

}  // namespace gencli::idx
