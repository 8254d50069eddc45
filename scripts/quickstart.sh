#!/usr/bin/env bash
# README command 1: install what is missing, build in Release, and run the
# main job on the seed documents: cleaned files go to out/seeds/, and a
# summary of what was removed from which file is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAFF_BUILD_TESTS=OFF -DCHAFF_BUILD_BENCH=OFF >/dev/null
cmake --build build --target chaff
./build/chaff clean seeds/*.txt -o out/seeds
echo "cleaned files are in out/seeds/; see why with: ./build/chaff explain seeds/002_8f3e413f6ae2009f.txt"
