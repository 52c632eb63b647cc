// The training-data fingerprint: what it covers (names, sizes, contents; the toy generator's
// parameters), and its mtime cache (used on a second call, ignored when corrupt or unwritable).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/config.h"
#include "core/errors.h"
#include "data/data_fingerprint.h"
#include "data/image_folder.h"
#include "error_message.h"

namespace gencli {
namespace {

namespace fs = std::filesystem;

class DataFingerprintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/gencli_fingerprint_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    cache_ = dir_ + "/cache/fingerprints.json";
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void write(const std::string& path, const std::string& bytes) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
  }
  // Sets path's mtime (both times) to sec seconds since the epoch plus nsec.
  static void set_mtime(const std::string& path, time_t sec, long nsec = 0) {
    const timespec times[2] = {{sec, nsec}, {sec, nsec}};
    ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
  }

  // An idx root with the four split files (contents need not be valid IDX: only bytes count).
  DataConfig idx_root(const std::string& name, const std::string& salt = "") {
    const std::string root = dir_ + "/" + name;
    write(root + "/train-images-idx3-ubyte", "train images" + salt);
    write(root + "/train-labels-idx1-ubyte", "train labels");
    write(root + "/t10k-images-idx3-ubyte.gz", "test images, compressed");
    write(root + "/t10k-labels-idx1-ubyte", "test labels");
    DataConfig c;
    c.type = "idx";
    c.root = root;
    return c;
  }

  DataConfig image_root(const std::string& name) {
    const std::string root = dir_ + "/" + name;
    write(root + "/cats/a.png", "png a");
    write(root + "/cats/b.png", "png b");
    write(root + "/dogs/c.jpg", "jpeg c");
    DataConfig c;
    c.type = "image_folder";
    c.root = root;
    return c;
  }

  std::string dir_;
  std::string cache_;
};

bool looks_like_sha256(const std::string& d) {
  return d.size() == 7 + 64 && d.rfind("sha256:", 0) == 0 &&
         d.find_first_not_of("0123456789abcdef", 7) == std::string::npos;
}

TEST_F(DataFingerprintTest, SameFilesGiveTheSameDigestWhereverTheyLie) {
  const DataFingerprint a = fingerprint_training_data(idx_root("one"), cache_);
  const DataFingerprint b = fingerprint_training_data(idx_root("two"), cache_);
  EXPECT_TRUE(looks_like_sha256(a.digest)) << a.digest;
  EXPECT_EQ(a.digest, b.digest) << "names are relative to data.root";
  EXPECT_EQ(a.files, 4);
  EXPECT_EQ(a.bytes, int64_t(std::string("train images").size() + std::string("train labels").size() +
                             std::string("test images, compressed").size() + std::string("test labels").size()));
  EXPECT_EQ(fingerprint_training_data(idx_root("one"), "").digest, a.digest) << "the cache changes nothing";
}

TEST_F(DataFingerprintTest, OneChangedByteChangesTheDigest) {
  const DataConfig c = idx_root("one");
  const std::string before = fingerprint_training_data(c, cache_).digest;
  const std::string path = c.root + "/train-labels-idx1-ubyte";
  write(path, "train labelz");  // same size
  set_mtime(path, 1000000000);  // a different mtime, as any real edit has
  const DataFingerprint after = fingerprint_training_data(c, cache_);
  EXPECT_NE(after.digest, before);
  EXPECT_EQ(after.hashed, 1) << "only the changed file is read again";
  EXPECT_NE(fingerprint_training_data(idx_root("two", "!"), cache_).digest, before);
}

TEST_F(DataFingerprintTest, RenamingAFileChangesTheDigest) {
  const DataConfig c = image_root("images");
  const std::string before = fingerprint_training_data(c, cache_).digest;
  fs::rename(c.root + "/cats/b.png", c.root + "/cats/z.png");
  EXPECT_NE(fingerprint_training_data(c, cache_).digest, before);
  fs::rename(c.root + "/cats/z.png", c.root + "/dogs/b.png");  // same name, another class
  EXPECT_NE(fingerprint_training_data(c, cache_).digest, before);
  fs::rename(c.root + "/dogs/b.png", c.root + "/cats/b.png");
  EXPECT_EQ(fingerprint_training_data(c, cache_).digest, before);
}

TEST_F(DataFingerprintTest, RawAndCompressedIdxFilesDiffer) {
  const DataConfig c = idx_root("one");
  const std::string before = fingerprint_training_data(c, cache_).digest;
  fs::rename(c.root + "/t10k-labels-idx1-ubyte", c.root + "/t10k-labels-idx1-ubyte.gz");
  EXPECT_NE(fingerprint_training_data(c, cache_).digest, before);
}

TEST_F(DataFingerprintTest, FolderCoversWhatTheLoaderReadsAndNothingElse) {
  const DataConfig c = image_root("images");
  const DataFingerprint before = fingerprint_training_data(c, cache_);
  EXPECT_EQ(before.files, 3);
  write(c.root + "/cats/notes.txt", "not an image");
  write(c.root + "/cats/.hidden.png", "hidden");
  write(c.root + "/.thumbnails/x.png", "in a hidden folder");
  EXPECT_EQ(fingerprint_training_data(c, cache_).digest, before.digest);
  write(c.root + "/dogs/deep/d.PNG", "upper-case extension, nested");
  const DataFingerprint after = fingerprint_training_data(c, cache_);
  EXPECT_EQ(after.files, 4);
  EXPECT_EQ(after.files, int64_t(list_image_folder(c.root).files.size())) << "the loader's own listing";
  EXPECT_NE(after.digest, before.digest);

  DataConfig audio;
  audio.type = "audio_folder";
  audio.root = c.root;
  EXPECT_NE(error_message<DataError>([&] { fingerprint_training_data(audio, cache_); }).find("no WAV files"),
            std::string::npos);
  write(c.root + "/cats/a.wav", "wav");
  EXPECT_EQ(fingerprint_training_data(audio, cache_).files, 1);
}

TEST_F(DataFingerprintTest, TextCoversThePathsFile) {
  write(dir_ + "/a/corpus.txt", "some text");
  write(dir_ + "/b/corpus.txt", "some text");
  DataConfig a, b;
  a.type = b.type = "text";
  a.path = dir_ + "/a/corpus.txt";
  b.path = dir_ + "/b/corpus.txt";
  const DataFingerprint fa = fingerprint_training_data(a, cache_);
  EXPECT_EQ(fa.files, 1);
  EXPECT_EQ(fa.bytes, 9);
  EXPECT_EQ(fingerprint_training_data(b, cache_).digest, fa.digest);
  write(b.path, "other text");
  EXPECT_NE(fingerprint_training_data(b, cache_).digest, fa.digest);
}

TEST_F(DataFingerprintTest, SecondCallReadsNothing) {
  const DataConfig c = image_root("images");
  const DataFingerprint first = fingerprint_training_data(c, cache_);
  EXPECT_EQ(first.hashed, 3);
  EXPECT_TRUE(fs::is_regular_file(cache_));
  const DataFingerprint second = fingerprint_training_data(c, cache_);
  EXPECT_EQ(second.hashed, 0);
  EXPECT_EQ(second.digest, first.digest);
  EXPECT_EQ(second.files, first.files);
  EXPECT_EQ(second.bytes, first.bytes);
  EXPECT_EQ(fingerprint_training_data(c, "").hashed, 3) << "no cache: every file is read";
}

// The cache trusts size and mtime, like make: contents rewritten at the same size with the mtime
// forced back keep the old digest. This is the test that proves the cache is used at all.
TEST_F(DataFingerprintTest, SameSizeAndMtimeKeepTheCachedDigest) {
  const DataConfig c = idx_root("one");
  const std::string path = c.root + "/train-images-idx3-ubyte";
  set_mtime(path, 1500000000, 123456789);
  const std::string before = fingerprint_training_data(c, cache_).digest;
  write(path, "TRAIN IMAGES");
  set_mtime(path, 1500000000, 123456789);
  EXPECT_EQ(fingerprint_training_data(c, cache_).digest, before);
  EXPECT_NE(fingerprint_training_data(c, "").digest, before);
  set_mtime(path, 1500000000, 123456790);  // one nanosecond later is a change
  const DataFingerprint after = fingerprint_training_data(c, cache_);
  EXPECT_EQ(after.hashed, 1);
  EXPECT_NE(after.digest, before);
}

TEST_F(DataFingerprintTest, CorruptCacheIsIgnoredAndReplaced) {
  const DataConfig c = idx_root("one");
  const std::string truth = fingerprint_training_data(c, "").digest;
  for (const std::string& junk :
       {std::string("not json {"), std::string("[1, 2]"), std::string("{\"format\": 7}"),
        std::string("{\"format\":\"gencli-fingerprint-cache\",\"version\":1,\"files\":{\"" + fs::absolute(c.root).string() +
                    "/train-labels-idx1-ubyte\":{\"size\":\"12\",\"mtime_ns\":[],\"sha256\":5}}}"),
        std::string("\0\xff\xfe", 3)}) {
    write(cache_, junk);
    const DataFingerprint fp = fingerprint_training_data(c, cache_);
    EXPECT_EQ(fp.digest, truth) << junk;
    EXPECT_EQ(fp.hashed, 4) << junk;
    EXPECT_EQ(fingerprint_training_data(c, cache_).hashed, 0) << "rewritten after " << junk;
  }
}

TEST_F(DataFingerprintTest, CacheThatCannotBeWrittenIsSkipped) {
  const DataConfig c = idx_root("one");
  write(dir_ + "/a_file", "x");
  const std::string bad = dir_ + "/a_file/sub/fingerprints.json";  // a folder under a file
  const DataFingerprint fp = fingerprint_training_data(c, bad);
  EXPECT_EQ(fp.digest, fingerprint_training_data(c, "").digest);
  EXPECT_EQ(fp.hashed, 4);
  EXPECT_FALSE(fs::exists(bad));
}

TEST_F(DataFingerprintTest, Toy2dDigestCoversTheGeneratorsParameters) {
  DataConfig c;
  c.type = "toy2d";
  const DataFingerprint a = fingerprint_training_data(c, cache_);
  EXPECT_TRUE(looks_like_sha256(a.digest)) << a.digest;
  EXPECT_EQ(a.files, 0);
  EXPECT_EQ(a.bytes, 0);
  EXPECT_EQ(fingerprint_training_data(c, cache_).digest, a.digest);
  DataConfig seeded = c;
  seeded.toy_seed = 1;
  EXPECT_NE(fingerprint_training_data(seeded, cache_).digest, a.digest);
  DataConfig more = c;
  more.toy_points = c.toy_points + 1;
  EXPECT_NE(fingerprint_training_data(more, cache_).digest, a.digest);
  DataConfig other = c;
  other.toy = "two_moons";
  EXPECT_NE(fingerprint_training_data(other, cache_).digest, a.digest);
  EXPECT_FALSE(fs::exists(cache_)) << "no files, no cache";
}

TEST_F(DataFingerprintTest, NoneHasNoFingerprint) {
  DataConfig c;
  c.type = "none";
  const DataFingerprint fp = fingerprint_training_data(c, cache_);
  EXPECT_EQ(fp.digest, "none");
  EXPECT_EQ(fp.files, 0);
}

TEST_F(DataFingerprintTest, MissingDataIsAOneLineDataErrorNamingThePath) {
  DataConfig c = idx_root("one");
  fs::remove(c.root + "/train-labels-idx1-ubyte");
  std::string msg = error_message<DataError>([&] { fingerprint_training_data(c, cache_); });
  EXPECT_NE(msg.find(c.root + "/train-labels-idx1-ubyte"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;

  DataConfig text;
  text.type = "text";
  text.path = dir_ + "/missing.txt";
  msg = error_message<DataError>([&] { fingerprint_training_data(text, cache_); });
  EXPECT_NE(msg.find(text.path), std::string::npos) << msg;

  DataConfig folder;
  folder.type = "image_folder";
  folder.root = dir_ + "/no_such_folder";
  msg = error_message<DataError>([&] { fingerprint_training_data(folder, cache_); });
  EXPECT_NE(msg.find(folder.root), std::string::npos) << msg;
}

TEST_F(DataFingerprintTest, CacheLocationFollowsTheEnvironment) {
  const auto saved = [](const char* name) -> std::pair<bool, std::string> {
    const char* v = getenv(name);
    return {v != nullptr, v ? v : ""};
  };
  const auto restore = [](const char* name, const std::pair<bool, std::string>& v) {
    if (v.first) setenv(name, v.second.c_str(), 1);
    else unsetenv(name);
  };
  const auto gencli = saved("GENCLI_CACHE_DIR"), xdg = saved("XDG_CACHE_HOME"), home = saved("HOME");

  setenv("GENCLI_CACHE_DIR", (dir_ + "/g").c_str(), 1);
  setenv("XDG_CACHE_HOME", (dir_ + "/x").c_str(), 1);
  setenv("HOME", (dir_ + "/h").c_str(), 1);
  EXPECT_EQ(fingerprint_cache_path(), dir_ + "/g/fingerprints.json");
  const DataConfig c = idx_root("one");
  EXPECT_EQ(fingerprint_training_data(c).hashed, 4);
  EXPECT_EQ(fingerprint_training_data(c).hashed, 0);
  EXPECT_TRUE(fs::is_regular_file(dir_ + "/g/fingerprints.json"));
  unsetenv("GENCLI_CACHE_DIR");
  EXPECT_EQ(fingerprint_cache_path(), dir_ + "/x/gencli/fingerprints.json");
  setenv("XDG_CACHE_HOME", "relative/cache", 1);  // invalid per the XDG spec: ignored
  EXPECT_EQ(fingerprint_cache_path(), dir_ + "/h/.cache/gencli/fingerprints.json");
  unsetenv("XDG_CACHE_HOME");
  unsetenv("HOME");
  EXPECT_EQ(fingerprint_cache_path(), "");

  restore("GENCLI_CACHE_DIR", gencli);
  restore("XDG_CACHE_HOME", xdg);
  restore("HOME", home);
}

}  // namespace
}  // namespace gencli
