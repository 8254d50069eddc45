"""python3 -m chaff.dask dedupe on a local cluster of 2 worker processes:
the same bytes as chaff dedupe (kept records, clusters file; JSONL, tree and
compressed outputs; stars and components); a failed task is retried, and
one that keeps failing stops the run naming its shard, with no output."""

import gzip
import os
import filecmp

import pytest

import chaff
import chaff.dask
from conftest import python, run, write_shards

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, chaff_bin):
    d = tmp_path_factory.mktemp("dask")
    shards = write_shards(str(d / "shards"), shards=7, per_shard=50, empty=(2, 6))
    want = {}
    for mode, flags in (("stars", []), ("components", ["--no-split-chains"])):
        out, cl = str(d / ("want-%s.jsonl" % mode)), str(d / ("want-%s-clusters.jsonl" % mode))
        r = run([chaff_bin, "dedupe", shards, "-o", out, "--clusters", cl, "-q"] + flags)
        assert r.returncode == 0, r.stderr
        want[mode] = (out, cl)
    r = run([chaff_bin, "dedupe", shards, "-o", str(d / "want-tree"), "-q"])
    assert r.returncode == 0, r.stderr
    return d, shards, want


def same(a, b):
    return open(a, "rb").read() == open(b, "rb").read()


def test_jsonl_and_clusters_equal_chaff_dedupe(client, corpus, tmp_path):
    _, shards, want = corpus
    for mode in ("stars", "components"):
        out, cl = str(tmp_path / (mode + ".jsonl")), str(tmp_path / (mode + "-clusters.jsonl"))
        stats = chaff.dask.dedupe([shards], out, clusters=cl, client=client,
                                  split_chains=mode == "stars")
        assert stats["shards"] == 7 and stats["documents"] == 250
        assert same(out, want[mode][0]), mode
        assert same(cl, want[mode][1]), mode
    # No work directory is left beside the output.
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["stars.jsonl", "stars-clusters.jsonl", "components.jsonl", "components-clusters.jsonl"])


def test_tree_and_compressed_outputs(client, corpus, tmp_path):
    d, shards, want = corpus
    chaff.dask.dedupe([shards], str(tmp_path / "tree"), client=client)
    cmp = filecmp.dircmp(str(tmp_path / "tree"), str(d / "want-tree"))
    assert not cmp.left_only and not cmp.right_only and not cmp.diff_files
    assert sorted(os.listdir(tmp_path / "tree")) == sorted(os.listdir(shards))
    chaff.dask.dedupe([shards], str(tmp_path / "out.jsonl.gz"), client=client,
                      clusters=str(tmp_path / "c.jsonl.gz"))
    assert gzip.open(tmp_path / "out.jsonl.gz").read() == open(want["stars"][0], "rb").read()
    assert gzip.open(tmp_path / "c.jsonl.gz").read() == open(want["stars"][1], "rb").read()


def set_worker_env(client, value):
    """Sets CHAFF_DASK_TEST_FAIL (chaff.dask's failure injection) on every
    worker process."""
    def setenv(v):
        if v is None:
            os.environ.pop("CHAFF_DASK_TEST_FAIL", None)
        else:
            os.environ["CHAFF_DASK_TEST_FAIL"] = v
    client.run(setenv, value)


def test_a_failed_task_is_retried(client, corpus, tmp_path):
    _, shards, want = corpus
    out = str(tmp_path / "out.jsonl")
    # The first attempts of a sketch, of the cluster step, of an apply fail.
    try:
        for spec in ("sketch:s04.jsonl:1", "cluster:all:1", "apply:s01.jsonl:2"):
            set_worker_env(client, spec)
            chaff.dask.dedupe([shards], out, client=client, retries=2)
            assert same(out, want["stars"][0]), spec
            os.remove(out)
    finally:
        set_worker_env(client, None)


def test_a_task_that_keeps_failing_names_its_shard(client, corpus, tmp_path):
    _, shards, _ = corpus
    out = str(tmp_path / "out.jsonl")
    try:
        set_worker_env(client, "apply:s05.jsonl:5")
        with pytest.raises(chaff.dask.TaskFailed, match="apply of .*s05.jsonl failed: OSError"):
            chaff.dask.dedupe([shards], out, client=client, retries=1)
    finally:
        set_worker_env(client, None)
    assert not os.path.exists(out)
    assert os.listdir(tmp_path) == []  # no output, no work directory


def test_command_line(corpus, tmp_path, chaff_bin):
    d, shards, want = corpus
    out, cl = str(tmp_path / "out.jsonl"), str(tmp_path / "clusters.jsonl")
    r = run([python(), "-m", "chaff.dask", "dedupe", shards, "-o", out, "--clusters", cl,
             "--workers", "2"])
    assert r.returncode == 0, r.stderr
    assert "chaff.dask dedupe: 7 shards, 250 documents" in r.stderr
    assert same(out, want["stars"][0]) and same(cl, want["stars"][1])
    # A malformed record: exit 2, the shard and line named, nothing written.
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.jsonl").write_text(open(os.path.join(shards, "s00.jsonl")).read())
    (bad / "b.jsonl").write_text('{"id": "x", "text": "fine"}\n{"id": "y"}\n')
    r = run([python(), "-m", "chaff.dask", "dedupe", str(bad), "-o", str(tmp_path / "x.jsonl"),
             "--workers", "2", "--retries", "0"])
    assert r.returncode == 2
    assert "sketch of %s failed" % (bad / "b.jsonl") in r.stderr
    assert "b.jsonl:2: missing field \\\"text\\\"" in r.stderr or 'b.jsonl:2: missing field "text"' in r.stderr
    assert not os.path.exists(tmp_path / "x.jsonl")
    # An output that is an input is refused before any work.
    r = run([python(), "-m", "chaff.dask", "dedupe", shards, "-o", os.path.join(shards, "s00.jsonl"),
             "--workers", "1"])
    assert r.returncode == 2 and "refusing to overwrite input" in r.stderr
