"""Shared fixtures of the Python tests (run by ctest with PYTHONPATH set to
build/python, CHAFF_BIN, CHAFF_SOURCE_DIR, CHAFF_SHARED_DATA_DIR and
CHAFF_MAKE_CORPUS; see tests/CMakeLists.txt)."""

import os
import subprocess
import sys

import pytest

from shards import write_shards  # noqa: F401 (used by the tests)

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


def python():
    return sys.executable


@pytest.fixture(scope="module")
def client():
    """A Dask client of a local cluster of 2 worker processes, one thread
    each (one cluster per test module)."""
    import logging

    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=logging.ERROR)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()
