#!/usr/bin/env bash
# How long the training-data fingerprint (src/data/data_fingerprint.h) takes on an MNIST-format
# folder: the first call (every file read and hashed) against the second (sizes and mtimes from
# the cache). It builds a tiny torch-free driver from the sources, so it needs no build folder.
# Usage: scripts/fingerprint_timing.sh [ROOT]   (default data/mnist; when that holds no data set,
#        random files of the raw MNIST sizes in a temporary folder stand in: only the bytes count)
# The first call reads from the page cache when the files were just written or read.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-data/mnist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -e "$root/train-images-idx3-ubyte" ] && [ ! -e "$root/train-images-idx3-ubyte.gz" ]; then
  echo "fingerprint_timing: no data set in $root; using random files of the raw MNIST sizes"
  root=$work/mnist
  mkdir -p "$root"
  head -c 47040016 /dev/urandom >"$root/train-images-idx3-ubyte"
  head -c 60008 /dev/urandom >"$root/train-labels-idx1-ubyte"
  head -c 7840016 /dev/urandom >"$root/t10k-images-idx3-ubyte"
  head -c 10008 /dev/urandom >"$root/t10k-labels-idx1-ubyte"
fi

cat >"$work/driver.cpp" <<'EOF'
#include <chrono>
#include <cstdio>

#include "core/config.h"
#include "data/data_fingerprint.h"

int main(int argc, char** argv) {
  gencli::DataConfig c;
  c.type = "idx";
  c.root = argv[1];
  for (const char* call : {"first", "second"}) {
    const auto t0 = std::chrono::steady_clock::now();
    const gencli::DataFingerprint fp = gencli::fingerprint_training_data(c);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%-6s call: %9.2f ms  %s  %lld files, %lld bytes, %lld hashed\n", call, ms, fp.digest.c_str(),
                static_cast<long long>(fp.files), static_cast<long long>(fp.bytes), static_cast<long long>(fp.hashed));
  }
  (void)argc;
}
EOF
g++ -std=c++17 -O3 -DNDEBUG -Isrc -o "$work/driver" "$work/driver.cpp" src/data/data_fingerprint.cpp \
  src/data/idx.cpp src/io/sha256.cpp src/io/atomic_file.cpp -lz
GENCLI_CACHE_DIR=$work/cache "$work/driver" "$root"
