#!/usr/bin/env bash
# Installs chaff's build and test dependencies from Debian 12's archive, only
# those that are missing. Runs apt-get as root (or through sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  libxxhash-dev libhwy-dev libcli11-dev catch2 libbenchmark-dev
  libutf8proc-dev libsimdjson-dev libzstd-dev zlib1g-dev zstd python3
  # the Python module (pybind11) and its tests, the Dask pipeline
  python3-dev pybind11-dev python3-pybind11 python3-numpy python3-pytest
  python3-dask python3-distributed
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
