#pragma once
// IDX files (the MNIST container format): unsigned-byte arrays with a big-endian header,
// optionally gzip-compressed.
#include <cstdint>
#include <string>
#include <vector>

namespace gencli::idx {

// An unsigned-byte IDX array (element type 0x08), row-major.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

// Reads a raw or gzip-compressed IDX file. Compression is detected from the gzip magic
// bytes (1f 8b), not from the extension. Checks the magic number (00 00 08 ndims), that
// the data size equals the product of dims and that nothing trails it. Throws DataError
// naming path and the problem.
IdxArray read_idx(const std::string& path);

// Writes a; gzip-compressed if path ends in ".gz", raw otherwise. Written atomically.
// Throws DataError if a.data does not match a.dims.
void write_idx(const std::string& path, const IdxArray& a);

// images dims {N, H, W}, labels dims {N}.
struct LabeledImages {
  IdxArray images;
  IdxArray labels;
};

// Reads an image file and its label file and checks that they belong together: rank 3
// and rank 1, the same N, every label < num_classes (the error names file, index, value).
LabeledImages read_labeled_images(const std::string& images_path, const std::string& labels_path,
                                  int num_classes = 10);

// The MNIST split file names (without ".gz").
inline constexpr const char* kTrainImagesStem = "train-images-idx3-ubyte";
inline constexpr const char* kTrainLabelsStem = "train-labels-idx1-ubyte";
inline constexpr const char* kTestImagesStem = "t10k-images-idx3-ubyte";
inline constexpr const char* kTestLabelsStem = "t10k-labels-idx1-ubyte";

// Returns dir/stem or dir/stem.gz, whichever exists (raw wins if both do). Throws
// DataError listing both paths tried if neither exists.
std::string find_split_file(const std::string& dir, const std::string& stem);

// Lower-level pieces, used by read_idx/write_idx and by the fixture tool that needs to
// write deliberately broken files.
//
// The IDX bytes (header + data) for a. Throws DataError if a.data does not match a.dims.
std::string encode_idx(const IdxArray& a);
// Parses IDX bytes; `name` (the file path) is used in error messages. `after` is appended
// to the "file has N bytes" part of the truncation error (e.g. " after decompression").
IdxArray decode_idx(const std::string& bytes, const std::string& name,
                    const std::string& after = "");
// A single-member gzip stream holding bytes.
std::string gzip_compress(const std::string& bytes);
bool has_gzip_magic(const std::string& bytes);

}  // namespace gencli::idx
