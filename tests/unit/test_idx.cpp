// IDX reading/writing: round trips, and that every kind of broken file is reported with
// the file's path and what is wrong with it.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/errors.h"
#include "data/idx.h"

namespace gencli::idx {
namespace {

namespace fs = std::filesystem;

IdxArray sample_images(int n, int h, int w) {
  IdxArray a;
  a.dims = {n, h, w};
  for (int i = 0; i < n * h * w; ++i) a.data.push_back(uint8_t(i * 37 % 256));
  return a;
}

IdxArray sample_labels(int n, int classes) {
  IdxArray a;
  a.dims = {n};
  for (int i = 0; i < n; ++i) a.data.push_back(uint8_t(i % classes));
  return a;
}

class Idx : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/gencli_idx_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  static void put(const std::string& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
  }
  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // The DataError message read_idx throws for p (fails the test if none is thrown).
  static std::string read_error(const std::string& p) {
    try {
      read_idx(p);
    } catch (const DataError& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected DataError reading " << p;
    return "";
  }
  static std::string labeled_error(const std::string& images, const std::string& labels) {
    try {
      read_labeled_images(images, labels);
    } catch (const DataError& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected DataError reading " << images << " / " << labels;
    return "";
  }

  std::string dir_;
};

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "message: " << (haystack)

TEST_F(Idx, EncodesHeaderBigEndian) {
  IdxArray a;
  a.dims = {2, 3};
  a.data = {1, 2, 3, 4, 5, 6};
  const std::string expected(
      "\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x00\x03\x01\x02\x03\x04\x05\x06", 18);
  EXPECT_EQ(encode_idx(a), expected);
  a.dims = {300};
  a.data.assign(300, 7);
  EXPECT_EQ(encode_idx(a).substr(0, 8), std::string("\x00\x00\x08\x01\x00\x00\x01\x2c", 8));
}

TEST_F(Idx, RoundTripRaw) {
  const IdxArray a = sample_images(5, 28, 28);
  write_idx(path("raw-idx3-ubyte"), a);
  EXPECT_EQ(slurp(path("raw-idx3-ubyte")).size(), 16u + 5 * 28 * 28);
  const IdxArray b = read_idx(path("raw-idx3-ubyte"));
  EXPECT_EQ(b.dims, a.dims);
  EXPECT_EQ(b.data, a.data);
}

TEST_F(Idx, RoundTripGzip) {
  const IdxArray a = sample_images(7, 28, 28);
  write_idx(path("images.gz"), a);
  const std::string bytes = slurp(path("images.gz"));
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(uint8_t(bytes[0]), 0x1f);
  EXPECT_EQ(uint8_t(bytes[1]), 0x8b);
  const IdxArray b = read_idx(path("images.gz"));
  EXPECT_EQ(b.dims, a.dims);
  EXPECT_EQ(b.data, a.data);
}

TEST_F(Idx, DetectsGzipByContentNotName) {
  const IdxArray a = sample_labels(100, 10);
  put(path("gzip-without-extension"), gzip_compress(encode_idx(a)));
  put(path("raw-with-extension.gz"), encode_idx(a));
  EXPECT_EQ(read_idx(path("gzip-without-extension")).data, a.data);
  EXPECT_EQ(read_idx(path("raw-with-extension.gz")).data, a.data);
}

TEST_F(Idx, ConcatenatedGzipMembersAreOneFile) {
  const std::string bytes = encode_idx(sample_labels(50, 10));
  put(path("two-members.gz"), gzip_compress(bytes.substr(0, 20)) + gzip_compress(bytes.substr(20)));
  EXPECT_EQ(read_idx(path("two-members.gz")).data, sample_labels(50, 10).data);
}

TEST_F(Idx, TruncatedRawFileSaysWhatTheHeaderPromised) {
  // The message the brief gives as the example, on a file shaped like MNIST's.
  std::string bytes("\x00\x00\x08\x03\x00\x00\xea\x60\x00\x00\x00\x1c\x00\x00\x00\x1c", 16);
  bytes.append(1200 - 16, '\0');
  const std::string p = path("train-images-idx3-ubyte");
  put(p, bytes);
  EXPECT_EQ(read_error(p), "data error: " + p +
                               ": truncated: header says 60000 images of 28x28 (47040016 bytes), "
                               "file has 1200 bytes");
}

TEST_F(Idx, TruncatedGzipFile) {
  const std::string gz = gzip_compress(encode_idx(sample_images(20, 28, 28)));
  const std::string p = path("cut.gz");
  put(p, gz.substr(0, gz.size() / 2));
  const std::string msg = read_error(p);
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "truncated");
  EXPECT_CONTAINS(msg, "header says 20 images of 28x28");
}

TEST_F(Idx, GzipMissingOnlyItsTrailerIsTruncated) {
  const std::string gz = gzip_compress(encode_idx(sample_labels(10, 10)));
  const std::string p = path("no-trailer.gz");
  put(p, gz.substr(0, gz.size() - 8));  // drop CRC32 + ISIZE
  const std::string msg = read_error(p);
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "truncated gzip");
}

TEST_F(Idx, CorruptGzipData) {
  std::string gz = gzip_compress(encode_idx(sample_images(4, 28, 28)));
  for (size_t i = 12; i < gz.size() - 8; ++i) gz[i] = char(gz[i] ^ 0x5a);
  const std::string p = path("scrambled.gz");
  put(p, gz);
  const std::string msg = read_error(p);
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "gzip");
}

TEST_F(Idx, WrongMagic) {
  std::string bytes = encode_idx(sample_images(2, 4, 4));
  bytes.replace(0, 4, "\xde\xad\xbe\xef");
  const std::string p = path("bad-magic");
  put(p, bytes);
  const std::string msg = read_error(p);
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "bad magic number 0xdeadbeef");
}

TEST_F(Idx, UnsupportedElementType) {
  std::string bytes = encode_idx(sample_images(2, 4, 4));
  bytes[2] = 0x0d;  // float
  const std::string p = path("floats");
  put(p, bytes);
  const std::string msg = read_error(p);
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "unsupported IDX element type 0x0d");
}

TEST_F(Idx, TrailingGarbage) {
  const std::string p = path("long");
  put(p, encode_idx(sample_labels(10, 10)) + "junk");
  const std::string msg = read_error(p);
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "4 bytes of trailing garbage");
  EXPECT_CONTAINS(msg, "header says 10 items (18 bytes)");
}

TEST_F(Idx, TrailingGarbageAfterGzipStream) {
  const std::string p = path("long.gz");
  put(p, gzip_compress(encode_idx(sample_labels(10, 10))) + "junk");
  const std::string msg = read_error(p);
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "trailing garbage");
}

TEST_F(Idx, TruncatedHeader) {
  const std::string p = path("short-header");
  put(p, std::string("\x00\x00\x08\x03\x00\x00\x00\x05", 8));
  const std::string msg = read_error(p);
  EXPECT_CONTAINS(msg, p);
  EXPECT_CONTAINS(msg, "truncated header");
}

TEST_F(Idx, EmptyAndMissingFiles) {
  put(path("empty"), "");
  EXPECT_CONTAINS(read_error(path("empty")), path("empty") + ": file is empty");
  EXPECT_CONTAINS(read_error(path("absent")), path("absent") + ": cannot open");
}

TEST_F(Idx, WriteRejectsDataThatDoesNotMatchDims) {
  IdxArray a;
  a.dims = {2, 2};
  a.data = {1, 2, 3};
  EXPECT_THROW(write_idx(path("bad"), a), DataError);
  EXPECT_FALSE(fs::exists(path("bad")));
}

TEST_F(Idx, LabeledImagesReadTogether) {
  write_idx(path("img.gz"), sample_images(30, 28, 28));
  write_idx(path("lbl"), sample_labels(30, 10));
  const LabeledImages li = read_labeled_images(path("img.gz"), path("lbl"));
  EXPECT_EQ(li.images.dims, (std::vector<int64_t>{30, 28, 28}));
  EXPECT_EQ(li.labels.dims, (std::vector<int64_t>{30}));
  EXPECT_EQ(li.labels.data, sample_labels(30, 10).data);
}

TEST_F(Idx, LabelOutOfRangeNamesFileIndexAndValue) {
  write_idx(path("img"), sample_images(10, 28, 28));
  IdxArray labels = sample_labels(10, 10);
  labels.data[3] = 200;
  write_idx(path("lbl"), labels);
  EXPECT_EQ(labeled_error(path("img"), path("lbl")),
            "data error: " + path("lbl") + ": label at index 3 is 200, expected 0..9");
  // A smaller class count makes ordinary labels invalid too.
  labels.data[3] = 3;
  write_idx(path("lbl"), labels);
  try {
    read_labeled_images(path("img"), path("lbl"), 3);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_CONTAINS(e.what(), "label at index 3 is 3, expected 0..2");
  }
}

TEST_F(Idx, MismatchedCountsNameBothFiles) {
  write_idx(path("img"), sample_images(10, 28, 28));
  write_idx(path("lbl"), sample_labels(9, 10));
  const std::string msg = labeled_error(path("img"), path("lbl"));
  EXPECT_CONTAINS(msg, path("lbl") + ": has 9 labels");
  EXPECT_CONTAINS(msg, path("img") + " has 10 images");
}

TEST_F(Idx, WrongRanks) {
  write_idx(path("img"), sample_images(10, 28, 28));
  write_idx(path("lbl"), sample_labels(10, 10));
  const std::string swapped = labeled_error(path("lbl"), path("img"));
  EXPECT_CONTAINS(swapped, path("lbl") + ": expected an image file");
}

// The case: an images file whose header carries the labels' magic number used to
// fail as "trailing garbage"; the message now says what the file holds.
TEST_F(Idx, ImagesFileWithTheLabelsMagicSaysItHoldsLabels) {
  std::string bytes = encode_idx(sample_images(10, 28, 28));
  bytes[3] = 1;  // 0x00000801
  put(path("img"), bytes);
  write_idx(path("lbl"), sample_labels(10, 10));
  const std::string msg = labeled_error(path("img"), path("lbl"));
  EXPECT_CONTAINS(msg, path("img") + ": expected an image file but it holds labels");
  EXPECT_CONTAINS(msg, "magic number 0x00000801");
  EXPECT_EQ(msg.find("trailing garbage"), std::string::npos) << msg;
  // Compressed, the same.
  put(path("img.gz"), gzip_compress(bytes));
  EXPECT_CONTAINS(labeled_error(path("img.gz"), path("lbl")),
                  path("img.gz") + ": expected an image file but it holds labels");
}

TEST_F(Idx, LabelsFileWithTheImagesMagicSaysItHoldsImages) {
  write_idx(path("img"), sample_images(10, 28, 28));
  std::string bytes = encode_idx(sample_labels(10, 10));
  bytes[3] = 3;  // 0x00000803
  put(path("lbl"), bytes);
  const std::string msg = labeled_error(path("img"), path("lbl"));
  EXPECT_CONTAINS(msg, path("lbl") + ": expected a label file but it holds images");
  EXPECT_CONTAINS(msg, "magic number 0x00000803");
  EXPECT_EQ(msg.find("truncated"), std::string::npos) << msg;
}

TEST_F(Idx, OtherRanksNameTheirMagicNumber) {
  write_idx(path("lbl"), sample_labels(2, 10));
  write_idx(path("rank2"), IdxArray{{2, 3}, {1, 2, 3, 4, 5, 6}});
  EXPECT_EQ(labeled_error(path("rank2"), path("lbl")),
            "data error: " + path("rank2") +
                ": expected an image file (3 dims N x H x W), got 2 dims (magic number 0x00000802)");
  // read_idx alone takes any rank.
  EXPECT_EQ(read_idx(path("rank2")).dims, (std::vector<int64_t>{2, 3}));
}

TEST_F(Idx, FindSplitFilePrefersRaw) {
  const std::string stem = kTrainImagesStem;
  const std::string base = path(stem);
  try {
    find_split_file(dir_, stem);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_CONTAINS(e.what(), "tried " + base + " and " + base + ".gz");
  }
  put(base + ".gz", "x");
  EXPECT_EQ(find_split_file(dir_, stem), base + ".gz");
  EXPECT_EQ(find_split_file(dir_ + "/", stem), base + ".gz");
  put(base, "x");
  EXPECT_EQ(find_split_file(dir_, stem), base);
}

}  // namespace
}  // namespace gencli::idx
