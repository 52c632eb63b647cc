// NPY v1.0 output must be byte-for-byte what numpy.save writes for float32 C-order data.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "io/npy.h"

namespace gencli::npy {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t header_len_field(const std::string& h) {
  return uint8_t(h[8]) | (size_t(uint8_t(h[9])) << 8);
}

TEST(Npy, HeaderFor2x3IsWhatNumpyWrites) {
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  // 10 + 59 + padding + '\n' = 128; numpy pads with spaces and ends with a newline.
  const std::string expected = std::string("\x93NUMPY\x01\x00\x76\x00", 10) + dict +
                               std::string(128 - 10 - dict.size() - 1, ' ') + "\n";
  EXPECT_EQ(float32_header({2, 3}), expected);
  EXPECT_EQ(expected.size(), 128u);
}

TEST(Npy, ShapesFormatLikePythonTuples) {
  EXPECT_NE(float32_header({5}).find("'shape': (5,), }"), std::string::npos);
  EXPECT_NE(float32_header({}).find("'shape': (), }"), std::string::npos);
  EXPECT_NE(float32_header({64, 1, 28, 28}).find("'shape': (64, 1, 28, 28), }"), std::string::npos);
}

TEST(Npy, HeaderAlwaysAlignedTo64) {
  for (const auto& shape : std::vector<std::vector<int64_t>>{
           {}, {1}, {123456789}, {2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {100000, 784}}) {
    const std::string h = float32_header(shape);
    EXPECT_EQ(h.size() % 64, 0u);
    EXPECT_EQ(10 + header_len_field(h), h.size());
    EXPECT_EQ(h.back(), '\n');
  }
}

TEST(Npy, FileHoldsHeaderThenLittleEndianFloats) {
  std::string tmpl = ::testing::TempDir() + "/gencli_npy_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::string path = tmpl + "/a.npy";
  const float data[6] = {1.0f, -2.5f, 0.0f, 0.5f, 3.0f, -1.0f};
  write_float32(path, {2, 3}, data);
  const std::string bytes = slurp(path);
  ASSERT_EQ(bytes.size(), 128u + 24u);
  EXPECT_EQ(bytes.substr(0, 128), float32_header({2, 3}));
  const std::string expected_data(
      "\x00\x00\x80\x3f"   // 1.0
      "\x00\x00\x20\xc0"   // -2.5
      "\x00\x00\x00\x00"   // 0.0
      "\x00\x00\x00\x3f"   // 0.5
      "\x00\x00\x40\x40"   // 3.0
      "\x00\x00\x80\xbf",  // -1.0
      24);
  EXPECT_EQ(bytes.substr(128), expected_data);
  fs::remove_all(tmpl);
}

}  // namespace
}  // namespace gencli::npy
