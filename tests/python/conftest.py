"""Shared fixtures of the Python tests (run by ctest with PYTHONPATH set to
build/python, CHAFF_BIN, CHAFF_SOURCE_DIR, CHAFF_SHARED_DATA_DIR and
CHAFF_MAKE_CORPUS; see tests/CMakeLists.txt)."""

import json
import os
import random
import subprocess
import sys

import pytest

SOURCE_DIR = os.environ.get(
    "CHAFF_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))


@pytest.fixture(scope="session")
def chaff_bin():
    path = os.environ.get("CHAFF_BIN", os.path.join(SOURCE_DIR, "build", "chaff"))
    if not os.access(path, os.X_OK):
        pytest.skip("no chaff binary (CHAFF_BIN)")
    return path


@pytest.fixture(scope="session")
def seeds():
    d = os.path.join(SOURCE_DIR, "seeds")
    return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".txt"))


def run(cmd, **kwargs):
    """Runs a command; returns the CompletedProcess (stdout/stderr as text)."""
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


def write_shards(directory, shards=5, per_shard=40, seed=7, empty=(3,)):
    """JSONL shards with near copies of earlier documents across shards, some
    records without an id, and empty shards. Returns the directory."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
             for _ in range(3000)]
    os.makedirs(directory, exist_ok=True)
    texts = []
    for s in range(shards):
        with open(os.path.join(directory, "s%02d.jsonl" % s), "w") as f:
            for i in range(0 if s in empty else per_shard):
                if texts and rng.random() < 0.25:
                    words = rng.choice(texts).split(" ")
                    words[rng.randrange(len(words))] = "changed"
                    text = " ".join(words)
                else:
                    text = " ".join(rng.choice(vocab) for _ in range(150))
                texts.append(text)
                rec = {"text": text, "n": i}
                if i % 9:
                    rec["id"] = "s%d-%d" % (s, i)
                f.write(json.dumps(rec) + "\n")
    return directory


def python():
    return sys.executable
