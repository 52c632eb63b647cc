#!/usr/bin/env bash
# Installs what gencli needs to build and test, from Debian's packages.
# A no-op (no apt-get at all) when everything is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build            # toolchain
  libtorch-dev libgloo-dev                     # LibTorch 1.13 (CPU) and its CMake dependencies
  libopenblas0-pthread                         # without it LibTorch uses the reference BLAS, ~13x slower
  libcli11-dev libspdlog-dev nlohmann-json3-dev libstb-dev zlib1g-dev
  libgtest-dev python3                         # the test suite (python3 reads JSON in the e2e tests)
  clang libclang-rt-14-dev                     # sanitizer and libFuzzer builds (scripts/sanitize.sh, fuzz.sh)
  ca-certificates curl                         # data prepare mnist tries the real MNIST first
)
packages+=("$@")  # callers may add more (bench.sh adds python3-torch, make_speech_data.sh espeak-ng and sox)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install_deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install_deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
