// try_download_mnist without a network: a fake `curl` on PATH stands in for the real one.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "data/mnist_download.h"

namespace gencli::mnist_download {
namespace {

namespace fs = std::filesystem;

class MnistDownload : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/gencli_dl_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ + "/bin");
    const char* path = std::getenv("PATH");
    old_path_ = path ? path : "";
    setenv("PATH", (dir_ + "/bin").c_str(), 1);  // only our fake tools are visible
  }
  void TearDown() override {
    setenv("PATH", old_path_.c_str(), 1);
    fs::remove_all(dir_);
  }

  // Installs a fake curl whose body runs after `out` is set to the -o argument.
  void fake_curl(const std::string& body) {
    const std::string p = dir_ + "/bin/curl";
    std::ofstream(p) << "#!/bin/sh\nout=\nwhile [ $# -gt 0 ]; do\n"
                        "  if [ \"$1\" = -o ]; then out=\"$2\"; fi\n  shift\ndone\n"
                     << body << "\n";
    chmod(p.c_str(), 0755);
  }
  std::string data_dir() const { return dir_ + "/data dir"; }  // space: checks quoting

  std::string dir_, old_path_;
};

TEST_F(MnistDownload, NoCurl) {
  std::string why;
  EXPECT_FALSE(try_download_mnist(data_dir(), &why));
  EXPECT_NE(why.find("curl"), std::string::npos) << why;
}

TEST_F(MnistDownload, NetworkUnreachable) {
  fake_curl("exit 6");
  std::string why;
  EXPECT_FALSE(try_download_mnist(data_dir(), &why));
  EXPECT_NE(why.find("network unreachable"), std::string::npos) << why;
  EXPECT_NE(why.find("train-images-idx3-ubyte.gz"), std::string::npos) << why;
  EXPECT_EQ(why.find('\n'), std::string::npos) << "one line";
}

TEST_F(MnistDownload, ChecksumMismatchLeavesNoFiles) {
  fake_curl("printf 'not mnist' > \"$out\"");
  std::string why;
  EXPECT_FALSE(try_download_mnist(data_dir(), &why));
  EXPECT_NE(why.find("checksum mismatch for train-images-idx3-ubyte.gz"), std::string::npos) << why;
  EXPECT_NE(why.find(mnist_mirrors()[0]), std::string::npos) << why;
  EXPECT_NE(why.find(mnist_mirrors()[1]), std::string::npos) << why;
  EXPECT_TRUE(fs::is_directory(data_dir()));
  EXPECT_TRUE(fs::is_empty(data_dir())) << "neither the temporary nor the bad file may stay";
}

TEST_F(MnistDownload, KnowsTheFourFiles) {
  ASSERT_EQ(mnist_files().size(), 4u);
  EXPECT_STREQ(mnist_files()[0].name, "train-images-idx3-ubyte.gz");
  EXPECT_STREQ(mnist_files()[0].sha256,
               "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609");
  EXPECT_STREQ(mnist_files()[3].name, "t10k-labels-idx1-ubyte.gz");
  for (const auto& f : mnist_files()) EXPECT_EQ(std::string(f.sha256).size(), 64u);
}

}  // namespace
}  // namespace gencli::mnist_download
