"""The Python API against the command line: the same signatures, cleaned
text, explanations and dedupe decisions on the seeds; exceptions carrying
the library's messages for bad input."""

import json
import os

import numpy as np
import pytest

import chaff
from conftest import SOURCE_DIR, run, write_shards


def golden_lanes(seed_path, name):
    stem = os.path.splitext(os.path.basename(seed_path))[0]
    with open(os.path.join(SOURCE_DIR, "tests", "golden", stem + ".sig")) as f:
        for line in f:
            if line.startswith(name + " "):
                return [int(x, 16) for x in line.split()[1:]]
    raise AssertionError("no %s line" % name)


def test_signature_matches_the_golden_files(seeds):
    for path in seeds:
        text = open(path, encoding="utf-8").read()
        for mode, name in (("classic", "classic_k128"), ("oph", "oph_k128")):
            sig = chaff.signature(text, num_hashes=128, sketch=mode)
            assert sig.dtype == np.uint32 and sig.shape == (128,)
            assert sig.tolist() == golden_lanes(path, name), (path, mode)
        # bytes and str give the same signature
        raw = open(path, "rb").read()
        assert (chaff.signature(raw) == chaff.signature(text)).all()


def test_band_keys_and_lsh_params():
    assert chaff.lsh_params(0.8) == (25, 10)
    sig = chaff.signature("the quick brown fox jumps over the lazy dog " * 5)
    keys = chaff.band_keys(sig, 25, 10)
    assert keys.dtype == np.uint32 and keys.shape == (25,)
    # Equal bands give equal keys; a list works as a signature too.
    other = sig.copy()
    other[10:] = 0
    assert chaff.band_keys(other, 25, 10)[0] == keys[0]
    assert (chaff.band_keys(sig.tolist(), 25, 10) == keys).all()
    with pytest.raises(ValueError, match="bands/rows"):
        chaff.band_keys(sig, 30, 10)
    with pytest.raises(ValueError, match="empty"):
        chaff.band_keys(chaff.signature("  ... !!"), 25, 10)


def test_clean_equals_chaff_clean_on_the_seeds(chaff_bin, seeds, tmp_path):
    for path in seeds:  # one file per run: no corpus statistics (templates)
        out = tmp_path / os.path.basename(path)
        r = run([chaff_bin, "clean", path, "-o", str(out), "-q"])
        assert r.returncode == 0, r.stderr
        text = open(path, encoding="utf-8").read()
        got = chaff.clean(text)
        want = open(out, encoding="utf-8").read()
        assert got.text == want, path
        # Spans cut exactly the removed bytes; accounting adds up.
        raw = text.encode("utf-8")
        kept, at = b"", 0
        for span in got.spans:
            assert at <= span.begin < span.end <= len(raw)
            kept += raw[at:span.begin]
            at = span.end
        kept += raw[at:]
        assert kept.decode("utf-8") == got.text
        assert got.kept_bytes + got.removed_bytes == len(raw)
        assert sum(v["bytes"] for v in got.accounting.values()) == len(raw)
        assert got.accounting["keep"]["bytes"] == got.kept_bytes
        # bytes in, bytes out
        assert chaff.clean(raw).text == want.encode("utf-8")


def test_cleaner_options_match_the_cli_flags(chaff_bin, seeds, tmp_path):
    path = seeds[2]
    text = open(path, encoding="utf-8").read()
    r = run([chaff_bin, "clean", path, "-o", str(tmp_path), "-q", "--min-repeat-tokens", "3"])
    assert r.returncode == 0, r.stderr
    cleaner = chaff.Cleaner(min_repeat_tokens=3)
    assert cleaner.clean(text).text == open(tmp_path / os.path.basename(path)).read()
    assert chaff.clean(text, chrome=False, repeats=False).text == text
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        chaff.Cleaner(colour="red")
    with pytest.raises(ValueError, match="repeat_containment"):
        chaff.Cleaner(repeat_containment=2.0)
    with pytest.raises(FileNotFoundError, match="cannot open the line model"):
        chaff.Cleaner(line_model=str(tmp_path / "no-such-model.json"))
    bad = tmp_path / "bad-model.json"
    bad.write_text('{"format": "something else"}')
    with pytest.raises(chaff.DataError, match="not a chaff line model"):
        chaff.Cleaner(line_model=str(bad))


def test_explain_equals_chaff_explain(chaff_bin, seeds):
    for path in seeds:
        r = run([chaff_bin, "explain", path])
        assert r.returncode == 0, r.stderr
        lines = r.stdout.splitlines()[:-1]  # the last is the summary
        got = chaff.explain(open(path, encoding="utf-8").read())
        assert len(got) == len(lines)
        for line, want in zip(got, lines):
            head = "%5d  %-8s | %s" % (line.number, line.reason, line.text)
            if line.repeats is not None:
                head += "  [repeats line %d]" % line.repeats
            assert head == want


def test_dedupe_batch_equals_chaff_dedupe(chaff_bin, tmp_path):
    shards = write_shards(str(tmp_path / "shards"))
    records = []
    for name in sorted(os.listdir(shards)):
        with open(os.path.join(shards, name)) as f:
            records += [json.loads(line) for line in f]
    r = run([chaff_bin, "dedupe", shards, "-o", str(tmp_path / "out.jsonl"), "--clusters",
             str(tmp_path / "clusters.jsonl"), "-q"])
    assert r.returncode == 0, r.stderr
    want = [json.loads(line) for line in open(tmp_path / "clusters.jsonl")]
    for threads in (1, 2):
        got = chaff.dedupe([rec["text"] for rec in records], threshold=0.8, threads=threads)
        assert got.documents == len(records)
        assert got.removed == sum(not w["kept"] for w in want) > 10
        assert got.representative.tolist() == [w["cluster"] for w in want]
        assert got.kept.tolist() == [w["kept"] for w in want]
        assert ["%.4f" % s for s in got.similarity] == ["%.4f" % w["similarity"] for w in want]
    assert chaff.dedupe([]).documents == 0
    with pytest.raises(ValueError, match="threshold"):
        chaff.dedupe(["a"], threshold=1.5)
    with pytest.raises(ValueError, match="bands and rows"):
        chaff.dedupe(["a"], bands=3)
    with pytest.raises(TypeError, match="every text must be str or bytes"):
        chaff.dedupe(["a", 5])


def test_stages_equal_chaff_dedupe(chaff_bin, tmp_path):
    shards = write_shards(str(tmp_path / "shards"))
    r = run([chaff_bin, "dedupe", shards, "-o", str(tmp_path / "want.jsonl"), "--clusters",
             str(tmp_path / "want-clusters.jsonl"), "-q"])
    assert r.returncode == 0, r.stderr
    listed = chaff.list_shards([shards])
    assert [s[1] for s in listed] == [os.path.join(shards, n) for n in sorted(os.listdir(shards))]
    sk = str(tmp_path / "sk")
    for i in reversed(range(len(listed))):
        stats = chaff.sketch_shards(listed, sk, only=[i], threads=1)
        assert stats["shards"] == 1
    decided = chaff.cluster_sketches([sk], str(tmp_path / "decisions"),
                                     clusters=str(tmp_path / "clusters.jsonl"))
    assert decided["shards"] == len(listed)
    assert open(tmp_path / "clusters.jsonl").read() == open(tmp_path / "want-clusters.jsonl").read()
    applied = chaff.apply_decisions(str(tmp_path / "decisions"), listed, str(tmp_path / "out.jsonl"))
    assert applied["kept"] == decided["kept"]
    assert open(tmp_path / "out.jsonl", "rb").read() == open(tmp_path / "want.jsonl", "rb").read()


def test_errors_carry_the_library_message(tmp_path):
    with pytest.raises(FileNotFoundError, match="no-such"):
        chaff.list_shards([str(tmp_path / "no-such")])
    bad = tmp_path / "bad.sketch"
    bad.write_bytes(b"CHAFFSKT\x01\x00\x00\x00")
    with pytest.raises(chaff.DataError, match="bad.sketch: truncated sketch file"):
        chaff.cluster_sketches([str(bad)], str(tmp_path / "d"))
    assert issubclass(chaff.DataError, ValueError)
    shard = tmp_path / "s.jsonl"
    shard.write_text('{"id": "a", "text": "one two three"}\n{"id": "b", "text": 5}\n')
    with pytest.raises(chaff.DataError, match=r's.jsonl:2: expected a string in field "text"'):
        chaff.sketch_shards(chaff.list_shards([str(shard)]), str(tmp_path / "sk"))
    stats = chaff.sketch_shards(chaff.list_shards([str(shard)]), str(tmp_path / "sk"),
                                skip_bad_records=True)
    assert stats["bad_records"] == 1
    with pytest.raises(ValueError, match="refusing to overwrite input"):
        chaff.check_output(chaff.list_shards([str(shard)]), str(shard))
    with pytest.raises(TypeError):
        chaff.clean(None)
    with pytest.raises(UnicodeEncodeError):
        chaff.clean("lone surrogate \ud800")


def test_every_public_name_has_a_docstring_and_a_stub():
    stub = open(os.path.join(os.path.dirname(chaff.__file__), "_chaff.pyi")).read()
    for name in chaff.__all__:
        obj = getattr(chaff, name)
        assert ("def %s(" % name in stub or "class %s" % name in stub
                or "%s:" % name in stub), name
        if callable(obj):
            assert obj.__doc__ and len(obj.__doc__) > 20, name
