// write_atomically: readers see either the old or the new file, never a partial one.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/errors.h"
#include "io/atomic_file.h"

namespace gencli {
namespace {

namespace fs = std::filesystem;

class AtomicFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/gencli_atomic_XXXXXX";
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
  size_t entries() const {
    return size_t(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }

  std::string dir_;
};

TEST_F(AtomicFile, WritesAndOverwrites) {
  const std::string path = dir_ + "/out.txt";
  write_file_atomically(path, "first");
  EXPECT_EQ(slurp(path), "first");
  write_file_atomically(path, std::string("sec\0ond", 7));
  EXPECT_EQ(slurp(path), std::string("sec\0ond", 7));
  EXPECT_EQ(entries(), 1u) << "no temporary file may be left behind";
}

TEST_F(AtomicFile, WriterGetsTemporaryPathInSameFolder) {
  const std::string path = dir_ + "/out.bin";
  std::string seen;
  write_atomically(path, [&](const std::string& tmp) {
    seen = tmp;
    EXPECT_FALSE(fs::exists(path)) << "the final name must not appear before the rename";
    std::ofstream(tmp) << "x";
  });
  EXPECT_EQ(seen, atomic_temp_path(path));
  EXPECT_EQ(seen.rfind(path + ".tmp.", 0), 0u) << seen;
  EXPECT_EQ(fs::path(seen).parent_path(), fs::path(path).parent_path());
  EXPECT_EQ(slurp(path), "x");
}

TEST_F(AtomicFile, ThrowingWriterLeavesOldFileAndNoTemporary) {
  const std::string path = dir_ + "/keep.txt";
  write_file_atomically(path, "old contents");
  EXPECT_THROW(write_atomically(path,
                                [](const std::string& tmp) {
                                  std::ofstream(tmp) << "half-writ";
                                  throw std::runtime_error("disk on fire");
                                }),
               std::runtime_error);
  EXPECT_EQ(slurp(path), "old contents");
  EXPECT_FALSE(fs::exists(atomic_temp_path(path)));
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFile, WriterThatCreatesNothingIsAnError) {
  const std::string path = dir_ + "/never.txt";
  try {
    write_atomically(path, [](const std::string&) {});
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(AtomicFile, MissingFolderNamesThePath) {
  const std::string path = dir_ + "/no/such/dir/out.txt";
  try {
    write_file_atomically(path, "data");
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

// Writes that never replace what they must not: symlinks are followed, devices written through,
// FIFOs and folders refused, failed writes reported with the path and leave no temporary.
TEST_F(AtomicFile, SymlinkStaysALinkAndItsTargetIsReplaced) {
  const std::string target = dir_ + "/real.txt", link = dir_ + "/link.txt";
  write_file_atomically(target, "old");
  fs::create_symlink(target, link);
  write_file_atomically(link, "new");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(slurp(target), "new");
}

TEST_F(AtomicFile, CharacterDeviceIsWrittenThroughNotReplaced) {
  write_file_atomically("/dev/null", "discarded");
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null must still be a device";
}

TEST_F(AtomicFile, FullDeviceGivesOneLineNamingThePath) {
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

TEST_F(AtomicFile, FifoAndFolderAreRefused) {
  const std::string fifo = dir_ + "/pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  EXPECT_THROW(write_file_atomically(fifo, "x"), UserError);
  EXPECT_THROW(write_file_atomically(dir_, "x"), UserError);
  EXPECT_THROW(read_file_bytes(fifo), DataError) << "reading a FIFO must not block";
  EXPECT_THROW(read_file_bytes(dir_), DataError);
}

TEST_F(AtomicFile, UnwritableFolderNamesThePathAndLeavesNoTemporary) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may write anywhere";
  const std::string ro = dir_ + "/ro";
  fs::create_directory(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_THROW(write_file_atomically(ro + "/f.txt", "x"), UserError);
  fs::permissions(ro, fs::perms::owner_all);
  EXPECT_TRUE(fs::is_empty(ro));
}

TEST_F(AtomicFile, OnlyDeadWritersTemporariesAreStale) {
  EXPECT_FALSE(is_stale_temporary("last.pt.tmp." + std::to_string(::getpid()))) << "this process is alive";
  EXPECT_FALSE(is_stale_temporary("last.pt.tmp.1")) << "pid 1 is alive";
  EXPECT_TRUE(is_stale_temporary("last.pt.tmp.999999999"));
  EXPECT_FALSE(is_stale_temporary("last.pt"));
  EXPECT_FALSE(is_stale_temporary("notes.tmp.txt"));
}

}  // namespace
}  // namespace gencli
