#!/usr/bin/env bash
# README command 1: install what is missing, build in Release, install the
# Python module `chaff` for Debian's python3 (/usr/local/lib/python3.X/
# dist-packages, where /usr/bin/python3 finds it beside python3-dask), and
# run the main job on the seed documents: cleaned files go to out/seeds/,
# and a summary of what was removed from which file is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAFF_BUILD_TESTS=OFF -DCHAFF_BUILD_BENCH=OFF >/dev/null
cmake --build build --target chaff chaff_python
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO cmake --install build --component python >/dev/null
(cd / && /usr/bin/python3 -c "import chaff; print('python module: import chaff ->', chaff.__file__)")
./build/chaff clean seeds/*.txt -o out/seeds
echo "cleaned files are in out/seeds/; see why with: ./build/chaff explain seeds/002_8f3e413f6ae2009f.txt"
