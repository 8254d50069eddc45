"""The Dask pipeline at benchmark scale: the 10x BBC corpus (chaff-make-corpus,
23,788 documents, 56 MB) split into 8 shards, on a local cluster of 2 worker
processes, writes the bytes of a single-process chaff dedupe: kept records
and clusters file. Skipped without the BBC articles (CHAFF_SHARED_DATA_DIR)."""

import os
import subprocess

import pytest

from conftest import python, run

DATA = os.path.join(os.environ.get("CHAFF_SHARED_DATA_DIR", ""), "bbc", "articles.jsonl")
MAKE_CORPUS = os.environ.get("CHAFF_MAKE_CORPUS", "")


@pytest.mark.skipif(not os.path.isfile(DATA) or not os.access(MAKE_CORPUS, os.X_OK),
                    reason="needs the BBC articles (%s) and chaff-make-corpus" % DATA)
def test_dask_on_8_shards_equals_chaff_dedupe(chaff_bin, tmp_path):
    corpus = tmp_path / "bbc10x.jsonl"
    r = run([MAKE_CORPUS, "--input", DATA, "-o", str(corpus)])
    assert r.returncode == 0, r.stderr
    shards = tmp_path / "shards"
    shards.mkdir()
    subprocess.run(["split", "-n", "l/8", "-d", "-a", "2", "--additional-suffix=.jsonl",
                    str(corpus), str(shards / "part-")], check=True)
    assert len(os.listdir(shards)) == 8
    want, want_cl = tmp_path / "want.jsonl", tmp_path / "want-clusters.jsonl"
    r = run([chaff_bin, "dedupe", str(shards), "-o", str(want), "--clusters", str(want_cl), "-q"])
    assert r.returncode == 0, r.stderr
    out, cl = tmp_path / "out.jsonl", tmp_path / "clusters.jsonl"
    r = run([python(), "-m", "chaff.dask", "dedupe", str(shards), "-o", str(out),
             "--clusters", str(cl), "--workers", "2"])
    print(r.stderr)
    assert r.returncode == 0, r.stderr
    assert "8 shards, 23788 documents" in r.stderr
    assert open(out, "rb").read() == open(want, "rb").read()
    assert open(cl, "rb").read() == open(want_cl, "rb").read()
