// Writes that never replace what they must not: symlinks are followed, devices written through,
// FIFOs and folders refused, failed writes reported with the path and leave no temporary.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/errors.h"
#include "io/atomic_file.h"

namespace gencli {
namespace {

namespace fs = std::filesystem;

class SafeWrites : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/gencli_safe_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string dir_;
};

TEST_F(SafeWrites, SymlinkStaysALinkAndItsTargetIsReplaced) {
  const std::string target = dir_ + "/real.txt", link = dir_ + "/link.txt";
  write_file_atomically(target, "old");
  fs::create_symlink(target, link);
  write_file_atomically(link, "new");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(slurp(target), "new");
}

TEST_F(SafeWrites, CharacterDeviceIsWrittenThroughNotReplaced) {
  write_file_atomically("/dev/null", "discarded");
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null must still be a device";
}

TEST_F(SafeWrites, FullDeviceGivesOneLineNamingThePath) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  try {
    write_file_atomically("/dev/full", std::string(4096, 'x'));
    FAIL() << "writing to /dev/full succeeded";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/full"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No space left"), std::string::npos) << e.what();
  }
  struct stat st {};
  ASSERT_EQ(::stat("/dev/full", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(SafeWrites, FifoAndFolderAreRefused) {
  const std::string fifo = dir_ + "/pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  EXPECT_THROW(write_file_atomically(fifo, "x"), UserError);
  EXPECT_THROW(write_file_atomically(dir_, "x"), UserError);
  EXPECT_THROW(read_file_bytes(fifo), DataError) << "reading a FIFO must not block";
  EXPECT_THROW(read_file_bytes(dir_), DataError);
}

TEST_F(SafeWrites, UnwritableFolderNamesThePathAndLeavesNoTemporary) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may write anywhere";
  const std::string ro = dir_ + "/ro";
  fs::create_directory(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_THROW(write_file_atomically(ro + "/f.txt", "x"), UserError);
  fs::permissions(ro, fs::perms::owner_all);
  EXPECT_TRUE(fs::is_empty(ro));
}

TEST_F(SafeWrites, OnlyDeadWritersTemporariesAreStale) {
  EXPECT_FALSE(is_stale_temporary("last.pt.tmp." + std::to_string(::getpid()))) << "this process is alive";
  EXPECT_FALSE(is_stale_temporary("last.pt.tmp.1")) << "pid 1 is alive";
  EXPECT_TRUE(is_stale_temporary("last.pt.tmp.999999999"));
  EXPECT_FALSE(is_stale_temporary("last.pt"));
  EXPECT_FALSE(is_stale_temporary("notes.tmp.txt"));
}

}  // namespace
}  // namespace gencli
