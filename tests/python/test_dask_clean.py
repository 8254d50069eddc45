"""python3 -m chaff.dask clean on a local cluster of 2 worker processes: the
same bytes as chaff clean (JSONL and tree outputs, with and without
--dedupe, --annotate) on shards whose sites span shards, and on the wcxb-dev
pages dealt round-robin into 8 shards (skipped without the data); the CLI
stages (chaff count per shard, --merge, chaff clean --counts per shard) give
the same bytes; a clean task that keeps failing stops the run naming its
shard, with no output."""

import json
import os
import shutil

import pytest

import chaff
import chaff.dask
from conftest import python, run
from shards import write_site_shards

distributed = pytest.importorskip("distributed")

WCXB = os.path.join(os.environ.get("CHAFF_SHARED_DATA_DIR", ""), "wcxb-dev", "inputs.jsonl")


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    d = tmp_path_factory.mktemp("clean")
    return write_site_shards(str(d / "shards"))


def same(a, b):
    return open(a, "rb").read() == open(b, "rb").read()


def same_tree(a, b):
    def files(root):
        out = {}
        for r, _d, fs in os.walk(root):
            for f in fs:
                p = os.path.join(r, f)
                out[os.path.relpath(p, root)] = open(p, "rb").read()
        return out
    fa, fb = files(a), files(b)
    assert sorted(fa) == sorted(fb)
    return fa == fb


@pytest.mark.parametrize("flags", [[], ["--dedupe"], ["--annotate"]])
def test_equals_chaff_clean(client, sites, chaff_bin, tmp_path, flags):
    want = str(tmp_path / "want.jsonl")
    r = run([chaff_bin, "clean", sites, "-o", want, "-q"] + flags)
    assert r.returncode == 0, r.stderr
    out = str(tmp_path / "out.jsonl")
    stats = chaff.dask.clean([sites], out, client=client, dedupe="--dedupe" in flags,
                             annotate="--annotate" in flags)
    assert stats["documents"] > 0
    assert same(out, want)
    # A tree: one file per shard, named as chaff clean names it.
    r = run([chaff_bin, "clean", sites, "-o", str(tmp_path / "want-tree"), "-q"] + flags)
    assert r.returncode == 0, r.stderr
    chaff.dask.clean([sites], str(tmp_path / "tree"), client=client,
                     dedupe="--dedupe" in flags, annotate="--annotate" in flags)
    assert same_tree(str(tmp_path / "tree"), str(tmp_path / "want-tree"))
    # No work directory is left beside the outputs.
    assert sorted(os.listdir(tmp_path)) == ["out.jsonl", "tree", "want-tree", "want.jsonl"]


def test_the_counts_of_all_shards_matter(sites, chaff_bin, tmp_path):
    """Cleaning each shard with its own counts differs from cleaning the
    corpus: the test data has template lines only the union shows."""
    want = str(tmp_path / "want.jsonl")
    assert run([chaff_bin, "clean", sites, "-o", want, "-q"]).returncode == 0
    alone = []
    for f in sorted(os.listdir(sites)):
        out = str(tmp_path / ("alone-" + f))
        assert run([chaff_bin, "clean", os.path.join(sites, f), "-o", out, "-q"]).returncode == 0
        alone.append(open(out, "rb").read())
    assert b"".join(alone) != open(want, "rb").read()


def test_python_api_equals_cli_stages(sites, chaff_bin, tmp_path):
    shards = chaff.list_shards([sites])
    paths = []
    for i, shard in enumerate(shards):
        p = str(tmp_path / ("%d.counts" % i))
        r = run([chaff_bin, "count", shard[0], "-o", p, "-q"])
        assert r.returncode == 0, r.stderr
        paths.append(p)
    merged = str(tmp_path / "all.counts")
    assert run([chaff_bin, "count", "--merge"] + paths[::-1] + ["-o", merged]).returncode == 0
    # The same counts from Python, from files and from documents.
    chaff.merge_counts(paths, str(tmp_path / "py.counts"))
    assert same(merged, str(tmp_path / "py.counts"))
    counts = chaff.TemplateCounts()
    records = []
    for shard in shards:
        with open(shard[0]) as f:
            records += [json.loads(line) for line in f]
    for rec in records:
        counts.add(rec["text"], rec["url"])
    assert counts.to_bytes() == open(merged, "rb").read()
    # Cleaning one record at a time, in a batch, and by chaff clean --counts.
    want = []
    for shard in shards:
        out = str(tmp_path / "part.jsonl")
        r = run([chaff_bin, "clean", "--counts", merged, shard[0], "-o", out, "-q"])
        assert r.returncode == 0, r.stderr
        with open(out) as f:
            want += [json.loads(line)["text"] for line in f]
    # Pruned, final counts clean alike, and refuse a looser clean and a merge.
    pruned = str(tmp_path / "pruned.counts")
    stats = chaff.merge_counts(paths, pruned, min_count=3)
    assert stats["pairs_written"] < stats["pairs"]
    assert [chaff.Cleaner(counts=pruned).clean(r["text"], r["url"]).text for r in records] == want
    with pytest.raises(ValueError, match="needs the complete counts"):
        chaff.Cleaner(counts=pruned, template_min_count=2)
    with pytest.raises(ValueError, match="cannot be added"):
        chaff.merge_counts([pruned, paths[0]], str(tmp_path / "x.counts"))
    assert not os.path.exists(str(tmp_path / "x.counts"))
    cleaner = chaff.Cleaner(counts=merged)
    assert cleaner.has_counts
    assert [cleaner.clean(r["text"], r["url"]).text for r in records] == want
    batch = chaff.Cleaner(counts=counts).clean_batch([r["text"] for r in records],
                                                     [r["url"] for r in records], threads=2)
    assert [b.text for b in batch] == want
    assert [b.text for b in chaff.Cleaner().clean_batch([r["text"] for r in records])] == \
        [chaff.clean(r["text"]).text for r in records]


def test_bad_counts_files_raise(tmp_path):
    p = tmp_path / "x.counts"
    p.write_bytes(b"not a counts file at all, but long enough for a header")
    with pytest.raises(chaff.DataError, match="not a chaff counts file"):
        chaff.TemplateCounts().load(str(p))
    with pytest.raises(chaff.DataError, match="x.counts"):
        chaff.Cleaner(counts=str(p))
    good = chaff.TemplateCounts()
    good.add("Home\nAbout us\nA line of text.\n", "https://a.example/1")
    data = good.to_bytes()
    with pytest.raises(chaff.DataError, match="truncated"):
        chaff.TemplateCounts().merge_bytes(data[:-3])
    with pytest.raises(TypeError):
        chaff.Cleaner(counts=str(p), no_such_option=1)


def test_a_clean_task_that_keeps_failing_names_its_shard(client, sites, tmp_path, monkeypatch):
    out = str(tmp_path / "out.jsonl")
    name = sorted(os.listdir(sites))[1]
    monkeypatch.setenv("CHAFF_DASK_TEST_FAIL", "clean:%s:99" % name)
    client.run(lambda: os.environ.__setitem__("CHAFF_DASK_TEST_FAIL", "clean:%s:99" % name))
    try:
        with pytest.raises(chaff.dask.TaskFailed, match="clean of .*%s" % name):
            chaff.dask.clean([sites], out, client=client, retries=1)
    finally:
        client.run(lambda: os.environ.pop("CHAFF_DASK_TEST_FAIL", None))
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(not os.path.isfile(WCXB), reason="needs wcxb-dev (%s)" % WCXB)
def test_wcxb_pages_in_8_shards(chaff_bin, tmp_path):
    """The wcxb-dev pages dealt round-robin into 8 shards (so a site's pages
    are in several): the command line of the Dask pipeline and the CLI
    stages run one shard at a time write chaff clean's bytes."""
    shards = tmp_path / "shards"
    shards.mkdir()
    outs = [open(shards / ("w%d.jsonl" % i), "w") for i in range(8)]
    with open(WCXB) as f:
        for i, line in enumerate(f):
            outs[i % 8].write(line)
    for o in outs:
        o.close()
    want = str(tmp_path / "want.jsonl")
    r = run([chaff_bin, "clean", str(shards), "-o", want, "-q"])
    assert r.returncode == 0, r.stderr
    out = str(tmp_path / "out.jsonl")
    r = run([python(), "-m", "chaff.dask", "clean", str(shards), "-o", out, "--workers", "2"])
    print(r.stderr)
    assert r.returncode == 0, r.stderr
    assert "8 shards, 1497 documents" in r.stderr
    assert same(out, want)
    # The CLI stages, one shard at a time.
    counts = []
    for i in range(8):
        c = str(tmp_path / ("w%d.counts" % i))
        assert run([chaff_bin, "count", str(shards / ("w%d.jsonl" % i)), "-o", c, "-q"]).returncode == 0
        counts.append(c)
    merged = str(tmp_path / "all.counts")
    assert run([chaff_bin, "count", "--merge"] + counts + ["-o", merged, "-q"]).returncode == 0
    parts = b""
    for i in range(8):
        p = str(tmp_path / "part.jsonl")
        r = run([chaff_bin, "clean", "--counts", merged, str(shards / ("w%d.jsonl" % i)), "-o", p, "-q"])
        assert r.returncode == 0, r.stderr
        parts += open(p, "rb").read()
    assert parts == open(want, "rb").read()
    # With --dedupe too.
    r = run([chaff_bin, "clean", "--dedupe", str(shards), "-o", want, "-q"])
    assert r.returncode == 0, r.stderr
    r = run([python(), "-m", "chaff.dask", "clean", "--dedupe", str(shards), "-o", out,
             "--workers", "2", "-q"])
    assert r.returncode == 0, r.stderr
    assert same(out, want)


def test_inputs_are_never_overwritten(client, sites, tmp_path):
    shards = chaff.list_shards([sites])
    before = {s[0]: open(s[0], "rb").read() for s in shards}
    with pytest.raises(ValueError, match="refusing to overwrite input"):
        chaff.dask.clean([sites], sites, client=client)
    with pytest.raises(ValueError, match="refusing to overwrite input"):
        chaff.count_shards(shards[:1], shards[0][0])
    counts = str(tmp_path / "c.counts")
    chaff.count_shards(shards, counts)
    with pytest.raises(ValueError, match="given twice"):
        chaff.merge_counts([counts, counts], str(tmp_path / "x.counts"))
    # A counts file where the tree output of a shard would go.
    tree = tmp_path / "tree"
    tree.mkdir()
    named = str(tree / os.path.basename(shards[1][0]))
    shutil.copy(counts, named)
    with pytest.raises(ValueError, match="refusing to overwrite the counts file"):
        chaff.clean_shards(shards, str(tree), counts=named)
    assert open(named, "rb").read() == open(counts, "rb").read()
    assert {s[0]: open(s[0], "rb").read() for s in shards} == before


def test_counts_shared_by_threads(sites):
    """One TemplateCounts fed from four threads at once counts what one
    thread counts (the object locks; the GIL is released while it works)."""
    import threading

    records = []
    for shard in chaff.list_shards([sites]):
        with open(shard[0]) as f:
            records += [json.loads(line) for line in f]
    shared, alone = chaff.TemplateCounts(), chaff.TemplateCounts()

    def feed(counts):
        for rec in records:
            counts.add(rec["text"], rec["url"])

    threads = [threading.Thread(target=feed, args=(shared,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for _ in range(4):
        feed(alone)
    assert shared.to_bytes() == alone.to_bytes()
    assert shared.documents == 4 * len(records)
