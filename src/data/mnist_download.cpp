#include "data/mnist_download.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "io/sha256.h"

namespace gencli::mnist_download {
namespace {

namespace fs = std::filesystem;

constexpr int kConnectTimeoutS = 10;
constexpr int kMaxTimeS = 120;

// Quotes s for /bin/sh so paths and URLs with spaces or quotes stay one argument.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

int run_shell(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

bool curl_available() { return run_shell("command -v curl >/dev/null 2>&1") == 0; }

// The curl exit codes a user is likely to hit, in words.
std::string curl_failure(int code) {
  switch (code) {
    case 5:
      return "could not resolve proxy";
    case 6:
      return "network unreachable (could not resolve host)";
    case 7:
      return "network unreachable (could not connect)";
    case 22:
      return "HTTP error (file not on this mirror)";
    case 23:
      return "could not write the file";
    case 28:
      return "timed out";
    case 35:
      return "TLS handshake failed";
    case 56:
      return "connection broken while receiving";
    case 60:
      return "TLS certificate problem";
    default:
      return "curl exit code " + std::to_string(code);
  }
}

// The file's SHA-256, or "" if it cannot be read.
std::string hash_or_empty(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return "";
  try {
    return sha256_file_hex(path);
  } catch (const std::exception&) {
    return "";
  }
}

// Downloads url to tmp; returns "" on success or why it failed.
std::string fetch(const std::string& url, const std::string& tmp) {
  const std::string command = "curl -fsSL --connect-timeout " + std::to_string(kConnectTimeoutS) +
                              " --max-time " + std::to_string(kMaxTimeS) + " -o " +
                              shell_quote(tmp) + " " + shell_quote(url) + " 2>/dev/null";
  const int code = run_shell(command);
  if (code == 0) return "";
  return code < 0 ? "curl did not run" : curl_failure(code);
}

// Checks a finished download and moves it into place; returns "" or why it was rejected.
std::string verify_and_rename(const std::string& tmp, const std::string& path,
                              const MnistFile& file) {
  const std::string got = hash_or_empty(tmp);
  if (got.empty()) return "curl reported success but no file was written";
  if (got != file.sha256) {
    return "checksum mismatch for " + std::string(file.name) + " (got sha256 " + got +
           ", expected " + file.sha256 + ")";
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return "could not rename " + tmp + " to " + path;
  return "";
}

// Tries each mirror for one file; returns "" once dir/name holds the verified file,
// otherwise why every mirror failed.
std::string download_one(const std::string& dir, const MnistFile& file) {
  const std::string path = dir + "/" + file.name;
  const std::string tmp = path + ".part." + std::to_string(::getpid());
  std::string failures;
  for (const std::string& mirror : mnist_mirrors()) {
    const std::string url = mirror + file.name;
    std::string problem = fetch(url, tmp);
    if (problem.empty()) problem = verify_and_rename(tmp, path, file);
    if (problem.empty()) return "";
    std::remove(tmp.c_str());
    failures += (failures.empty() ? "" : "; ") + url + ": " + problem;
  }
  return failures;
}

}  // namespace

const std::vector<MnistFile>& mnist_files() {
  static const std::vector<MnistFile> files = {
      {"train-images-idx3-ubyte.gz",
       "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"},
      {"train-labels-idx1-ubyte.gz",
       "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"},
      {"t10k-images-idx3-ubyte.gz",
       "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"},
      {"t10k-labels-idx1-ubyte.gz",
       "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
  };
  return files;
}

const std::vector<std::string>& mnist_mirrors() {
  static const std::vector<std::string> mirrors = {
      "https://ossci-datasets.s3.amazonaws.com/mnist/",
      "https://storage.googleapis.com/cvdf-datasets/mnist/",
  };
  return mirrors;
}

bool try_download_mnist(const std::string& dir, std::string* why) {
  auto fail = [why](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail("cannot create " + dir + ": " + ec.message());
  bool checked_curl = false;
  for (const MnistFile& file : mnist_files()) {
    if (hash_or_empty(dir + "/" + file.name) == file.sha256) continue;
    if (!checked_curl && !curl_available())
      return fail("the curl program is not installed (or not on PATH)");
    checked_curl = true;
    const std::string problem = download_one(dir, file);
    if (!problem.empty())
      return fail("could not download " + std::string(file.name) + ": " + problem);
  }
  return true;
}

}  // namespace gencli::mnist_download
