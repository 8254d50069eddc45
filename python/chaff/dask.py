"""chaff's sharded dedupe and clean on a Dask cluster.

    python3 -m chaff.dask dedupe SHARD... -o OUT [--clusters FILE]
                          [--scheduler ADDRESS | --workers N] [options]
    python3 -m chaff.dask clean SHARD... -o OUT [--dedupe]
                          [--scheduler ADDRESS | --workers N] [options]

runs the stages of ``chaff sketch`` / ``chaff cluster`` / ``chaff apply`` as
Dask tasks: one sketch task per shard (in parallel), one cluster task (a
gather: it reads every shard's sketch file in the order of the shard list, as
``chaff cluster`` does), one apply task per shard (in parallel), and the
driver then joins the parts into OUT. The output (kept records, clusters
file) is byte for byte that of ``chaff dedupe SHARD... -o OUT``, whatever the
number of workers or shards.

``clean`` runs the stages of ``chaff count`` / ``chaff clean --counts``: one
count task per shard (its template line counts per site, in parallel), one
merge task (a gather of the counts files: their sum), one clean task per
shard with the merged counts (in parallel); with ``--dedupe``, the cleaned
shards then go through the dedupe stages above. The output is byte for byte
that of ``chaff clean SHARD... -o OUT [--dedupe]``.

Without ``--scheduler`` a LocalCluster of worker processes (one per core,
one thread each) runs on this machine. With it, the workers of an existing
cluster run the tasks: they must import this package and see the shards, the
work directory and the outputs under the same paths (a shared file system;
see docs/cluster.md for Slurm). Intermediate files go to a work directory
(``--work-dir``; default: a fresh directory beside OUT), removed at the end.

A failed task is retried (``--retries``, default 2, e.g. after a worker was
lost); when it still fails the run stops with exit code 2 and a message that
names the shard and the stage, and writes no output: never a short one.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

import chaff

__all__ = ["clean", "dedupe", "main"]


# --- Tasks (run on the workers) --------------------------------------------------

def _maybe_fail(stage, name, work_dir):
    """Test hook: CHAFF_DASK_TEST_FAIL="STAGE:NAME:N" makes the first N
    attempts of that task fail (counted in the work directory, so across
    worker processes), to test retries and error reports."""
    spec = os.environ.get("CHAFF_DASK_TEST_FAIL")
    if not spec:
        return
    want_stage, want_name, times = spec.split(":", 2)
    if want_stage != stage or not name.endswith(want_name):
        return
    marker = os.path.join(work_dir, "test-fail-%s-%s" % (stage, os.path.basename(name)))
    with open(marker, "a") as f:
        f.write("x")
    if os.path.getsize(marker) <= int(times):
        raise OSError("injected failure (CHAFF_DASK_TEST_FAIL)")


def sketch_task(shards, index, sketch_dir, options):
    """Sketches shard `index` of the list `shards` into sketch_dir."""
    _maybe_fail("sketch", shards[index][1], os.path.dirname(sketch_dir))
    return chaff.sketch_shards(shards, sketch_dir, only=[index], threads=1, **options)


def cluster_task(sketch_dir, decisions, clusters, split_chains, *sketched):
    """Decides every document from the sketch files, in the global order.
    `sketched` (the sketch tasks' results) only orders it after them."""
    _maybe_fail("cluster", "all", os.path.dirname(sketch_dir))
    return chaff.cluster_sketches([sketch_dir], decisions, clusters=clusters,
                                  split_chains=split_chains, threads=1)


def peak_rss_bytes():
    """This process's peak resident memory (run on each worker)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def apply_task(shards, index, decisions, output, clustered):
    """Writes the kept records of shard `index` to `output`."""
    del clustered  # orders the task after the cluster step
    _maybe_fail("apply", shards[index][1], os.path.dirname(decisions))
    return chaff.apply_decisions(decisions, [shards[index]], output)


def count_task(shards, index, counts_path, options):
    """Counts the template lines of shard `index` into counts_path."""
    _maybe_fail("count", shards[index][1], os.path.dirname(os.path.dirname(counts_path)))
    return chaff.count_shards([shards[index]], counts_path, threads=1, **options)


def merge_task(paths, output, min_count, *counted):
    """Adds the counts files up, keeping the lines seen on at least
    min_count pages (all the clean tasks read). `counted` only orders it
    after the counts."""
    del counted
    _maybe_fail("merge", "all", os.path.dirname(output))
    return chaff.merge_counts(paths, output, min_count=min_count)


def clean_task(shards, index, counts, output, options, merged):
    """Cleans shard `index` with the merged counts into `output` (a file,
    or a directory of its own, emptied first: an earlier attempt of this
    task on a worker that died may have left a temporary file there)."""
    del merged  # orders the task after the merge
    if output.endswith(os.sep) and os.path.isdir(output):
        shutil.rmtree(output)
    _maybe_fail("clean", shards[index][1], os.path.dirname(counts))
    return chaff.clean_shards([shards[index]], output, counts=counts, threads=1, **options)


# --- Driver ------------------------------------------------------------------------

class _Progress:
    """One line on stderr: rewritten in place on a terminal, else one line
    per stage."""

    def __init__(self, quiet):
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.start = time.monotonic()

    def update(self, stage, done, total):
        if self.quiet or not self.tty:
            return
        sys.stderr.write("\rchaff.dask: %s %d/%d   " % (stage, done, total))
        sys.stderr.flush()

    def stage_done(self, stage, detail):
        if self.quiet:
            return
        if self.tty:
            sys.stderr.write("\r")
        sys.stderr.write("chaff.dask: %s done at %.2f s: %s\n"
                         % (stage, time.monotonic() - self.start, detail))
        sys.stderr.flush()


class TaskFailed(Exception):
    """A task failed for good: carries the stage and the shard's name."""


def _wait_all(client, futures, names, stage, progress):
    """Waits for `futures` (named by `names`), showing progress; returns
    their results in order. Raises TaskFailed naming the first failed
    shard."""
    from distributed import as_completed

    index_of = {f.key: i for i, f in enumerate(futures)}
    results = [None] * len(futures)
    done = 0
    progress.update(stage, 0, len(futures))
    for future in as_completed(futures):
        i = index_of[future.key]
        try:
            results[i] = future.result()
        except Exception as e:  # a task's own error, or a lost worker
            for f in futures:
                f.cancel()
            raise TaskFailed("%s of %s failed: %s: %s"
                             % (stage, names[i], type(e).__name__, e)) from e
        done += 1
        progress.update(stage, done, len(futures))
    return results


def _per_shard(client, stage, task, count, args_of, tag, retries):
    """Submits task(*args_of(i)) for each shard i < count, keyed
    chaff-STAGE-i-TAG; returns the futures in shard order."""
    return [client.submit(task, *args_of(i), key="chaff-%s-%d-%s" % (stage, i, tag),
                          retries=retries, pure=False)
            for i in range(count)]


def _move_tree(src, dst):
    """Moves every file under src to the same place under dst, each whole:
    renamed, or (another file system) copied beside its target first."""
    import errno

    for root, _dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        target_dir = os.path.normpath(os.path.join(dst, rel))
        os.makedirs(target_dir, exist_ok=True)
        for f in files:
            source, target = os.path.join(root, f), os.path.join(target_dir, f)
            try:
                os.replace(source, target)
            except OSError as e:
                if e.errno != errno.EXDEV:
                    raise
                fd, tmp = tempfile.mkstemp(prefix="." + f + ".chaff-tmp-", dir=target_dir)
                os.close(fd)
                try:
                    shutil.copyfile(source, tmp)
                    os.chmod(tmp, 0o666 & ~_umask())
                    os.replace(tmp, target)
                except BaseException:
                    os.unlink(tmp)
                    raise


def _join_parts(parts, output):
    """Writes the files `parts` one after another to `output`, atomically:
    a plain file by copy_file_range (the kernel copies, no pass through this
    process), anything else (.gz/.zst, '-', a device) by chaff.concatenate."""
    import stat

    plain = output != "-" and not output.endswith((".gz", ".zst"))
    if plain and os.path.exists(output):
        plain = stat.S_ISREG(os.stat(output).st_mode)
    if not plain or not hasattr(os, "copy_file_range"):
        chaff.concatenate(parts, output)
        return
    directory, name = os.path.split(os.path.abspath(output))
    fd, tmp = tempfile.mkstemp(prefix="." + name + ".chaff-tmp-", dir=directory)
    try:
        for part in parts:
            with open(part, "rb") as src:
                left = os.fstat(src.fileno()).st_size
                while left > 0:
                    try:
                        n = os.copy_file_range(src.fileno(), fd, left)
                    except OSError:  # another file system, an old kernel
                        n = 0
                    if n == 0:  # copied here instead (both offsets advance)
                        data = src.read(min(left, 1 << 22))
                        if not data:
                            raise OSError("%s: shorter than it was" % part)
                        view = memoryview(data)
                        while view:
                            view = view[os.write(fd, view):]
                        n = len(data)
                    left -= n
        os.fchmod(fd, 0o666 & ~_umask())
        os.close(fd)
        fd = -1
        os.replace(tmp, output)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        os.unlink(tmp)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _is_jsonl_output(output):
    if output == "-":
        return True
    name = output
    for ext in (".gz", ".zst"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    if name.endswith(".jsonl") or name.endswith(".ndjson"):
        return True
    try:
        import stat
        mode = os.stat(output).st_mode
        return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)
    except OSError:
        return False


def dedupe(paths, output, clusters="", client=None, work_dir=None, retries=2,
           split_chains=True, quiet=True, keep_work_dir=False, **options):
    """Runs the sharded dedupe of `paths` (shards: files or directories, as
    for ``chaff dedupe``) on the Dask `client` and writes `output` (and
    `clusters`). `options` are chaff.sketch_shards' (threshold, num_hashes,
    sketch, shingle_width, bands, rows, fn_weight, text_field, id_field,
    skip_bad_records). Returns a dict of counts and stage times. Raises
    TaskFailed (naming the shard) when a task fails after its retries,
    ValueError for a bad output plan."""
    shards = chaff.list_shards(list(paths))
    if not shards:
        raise ValueError("no shards")
    chaff.check_output(shards, output, clusters)
    return _dedupe_shards(shards, output, clusters, client, work_dir, retries, split_chains,
                          _Progress(quiet), keep_work_dir, options)


def _dedupe_shards(shards, output, clusters, client, work_dir, retries, split_chains, progress,
                   keep_work_dir, options):
    jsonl_out = _is_jsonl_output(output)
    work = _make_work_dir(output, work_dir)
    sketch_dir = os.path.join(work, "sketches")
    decisions = os.path.join(work, "decisions")
    clusters_tmp = ""
    if clusters:  # compressed as the final name says
        suffix = next((ext for ext in (".gz", ".zst") if clusters.endswith(ext)), "")
        clusters_tmp = os.path.join(work, "clusters.jsonl" + suffix)
    parts_dir = os.path.join(work, "parts")
    os.makedirs(sketch_dir)
    os.makedirs(parts_dir)
    names = [s[1] for s in shards]
    times = {}
    try:
        t0 = time.monotonic()
        # The shard list goes to every worker once, as one object (not one
        # task argument per task).
        # hash=False: a key of its own (the same list scattered by an
        # earlier run may still be being released).
        shared = client.scatter([shards], broadcast=True, hash=False)[0]
        tag = os.path.basename(work)
        sketches = _per_shard(client, "sketch", sketch_task, len(shards),
                              lambda i: (shared, i, sketch_dir, options), tag, retries)
        sketched = _wait_all(client, sketches, names, "sketch", progress)
        times["sketch"] = time.monotonic() - t0
        docs = sum(s["documents"] for s in sketched)
        in_bytes = sum(s["input_bytes"] for s in sketched)
        sketch_bytes = sum(s["sketch_bytes"] for s in sketched)
        progress.stage_done("sketch", "%d shards, %d documents, %.1f MB -> %.1f MB of sketches"
                            % (len(shards), docs, in_bytes / 1e6, sketch_bytes / 1e6))

        t1 = time.monotonic()
        clustered = client.submit(cluster_task, sketch_dir, decisions, clusters_tmp,
                                  split_chains, *sketches, retries=retries, pure=False,
                                  key="chaff-cluster-" + tag)
        decided = _wait_all(client, [clustered], ["all shards"], "cluster", progress)[0]
        times["cluster"] = time.monotonic() - t1
        if decided["documents"] != docs:
            raise TaskFailed("cluster saw %d documents, the sketches %d"
                             % (decided["documents"], docs))
        progress.stage_done("cluster", "%d duplicate clusters, removed %d, kept %d"
                            % (decided["duplicate_clusters"], decided["removed"],
                               decided["kept"]))

        t2 = time.monotonic()
        part_of = [os.path.join(parts_dir, "%06d.jsonl" % i) if jsonl_out
                   else os.path.join(work, "tree") for i in range(len(shards))]
        applies = _per_shard(client, "apply", apply_task, len(shards),
                             lambda i: (shared, i, decisions, part_of[i], clustered), tag, retries)
        applied = _wait_all(client, applies, names, "apply", progress)
        kept = sum(a["kept"] for a in applied)
        if sum(a["documents"] for a in applied) != docs or kept != decided["kept"]:
            raise TaskFailed("apply wrote %d of %d documents (%d kept, %d decided)"
                             % (sum(a["documents"] for a in applied), docs, kept,
                                decided["kept"]))
        times["apply"] = time.monotonic() - t2

        # Every task succeeded: the outputs appear, together.
        t3 = time.monotonic()
        if jsonl_out:
            _join_parts(part_of, output)
        elif os.path.isdir(os.path.join(work, "tree")):
            _move_tree(os.path.join(work, "tree"), output)
        else:
            os.makedirs(output, exist_ok=True)
        if clusters:
            shutil.move(clusters_tmp, clusters)
        times["write"] = time.monotonic() - t3
        progress.stage_done("apply", "%d shards, kept %d records -> %s" % (len(shards), kept, output))
        try:
            peaks = client.run(peak_rss_bytes)
        except Exception:  # a worker gone since: not worth failing the run
            peaks = {}
        return {"shards": len(shards), "documents": docs, "input_bytes": in_bytes,
                "sketch_bytes": sketch_bytes, "kept": kept, "removed": decided["removed"],
                "duplicate_clusters": decided["duplicate_clusters"], "times": times,
                "worker_peak_rss": peaks}
    finally:
        if not keep_work_dir:
            shutil.rmtree(work, ignore_errors=True)


def _make_work_dir(output, work_dir):
    if work_dir is None:
        base = os.path.dirname(os.path.abspath(output)) if output != "-" else os.getcwd()
        return os.path.abspath(tempfile.mkdtemp(prefix=".chaff-dask-", dir=base))
    os.makedirs(work_dir, exist_ok=True)
    return os.path.abspath(tempfile.mkdtemp(prefix="chaff-dask-", dir=work_dir))


def _only_file_under(directory):
    """The one file a clean task wrote under `directory`, relative to it
    (None: it wrote none)."""
    found = []
    for root, _dirs, files in os.walk(directory):
        found.extend(os.path.relpath(os.path.join(root, f), directory) for f in files)
    if len(found) > 1:
        raise TaskFailed("a clean task wrote %d files under %s" % (len(found), directory))
    return found[0] if found else None


def clean(paths, output, client=None, work_dir=None, retries=2, quiet=True,
          keep_work_dir=False, dedupe=False, dedupe_threshold=0.8, annotate=False,
          text_field="text", id_field="id", site_field="url", skip_bad_records=False,
          **options):
    """Runs the sharded clean of `paths` (shards: files or directories, as
    for ``chaff clean``) on the Dask `client` and writes `output` (a .jsonl
    file, '-' or a directory), as ``chaff clean PATHS -o OUTPUT [--dedupe]``
    writes it. `options` are Cleaner's (chrome, repeats, template_min_count,
    ...). Returns a dict of counts and stage times. Raises TaskFailed
    (naming the shard) when a task fails after its retries, ValueError for
    a bad output plan."""
    progress = _Progress(quiet)
    shards = chaff.list_shards(list(paths))
    if not shards:
        raise ValueError("no shards")
    if dedupe and annotate:
        raise ValueError("--dedupe with --annotate: the sharded pipeline dedupes the cleaned "
                         "text; run chaff clean --annotate without --dedupe")
    chaff.check_clean_output(shards, output, annotate)
    jsonl_out = _is_jsonl_output(output)
    work = _make_work_dir(output, work_dir)
    counts_dir = os.path.join(work, "counts")
    merged_path = os.path.join(work, "all.counts")
    os.makedirs(counts_dir)
    names = [s[1] for s in shards]
    count_options = dict(text_field=text_field, site_field=site_field,
                         skip_bad_records=skip_bad_records)
    # The merged counts keep what the clean tasks read: the lines on at
    # least --template-min-count pages.
    min_count = options.get("template_min_count", chaff.DEFAULT_TEMPLATE_MIN_COUNT)
    clean_options = dict(options, annotate=annotate, text_field=text_field, id_field=id_field,
                         site_field=site_field, skip_bad_records=skip_bad_records)
    times = {}
    try:
        t0 = time.monotonic()
        shared = client.scatter([shards], broadcast=True, hash=False)[0]
        tag = os.path.basename(work)
        count_paths = [os.path.join(counts_dir, "%06d.counts" % i) for i in range(len(shards))]
        counts = _per_shard(client, "count", count_task, len(shards),
                            lambda i: (shared, i, count_paths[i], count_options), tag, retries)
        counted = _wait_all(client, counts, names, "count", progress)
        times["count"] = time.monotonic() - t0
        docs = sum(c["documents"] for c in counted)
        in_bytes = sum(c["input_bytes"] for c in counted)
        counts_bytes = sum(c["counts_bytes"] for c in counted)
        progress.stage_done("count", "%d shards, %d documents, %.1f MB -> %.1f MB of counts"
                            % (len(shards), docs, in_bytes / 1e6, counts_bytes / 1e6))

        t1 = time.monotonic()
        merged = client.submit(merge_task, count_paths, merged_path, min_count, *counts,
                               retries=retries, pure=False, key="chaff-merge-" + tag)
        total = _wait_all(client, [merged], ["all shards"], "merge", progress)[0]
        times["merge"] = time.monotonic() - t1
        if total["documents"] != docs:
            raise TaskFailed("merge saw %d documents, the counts %d" % (total["documents"], docs))
        progress.stage_done("merge", "%d sites, %d distinct lines, %.1f MB with the lines on "
                            "at least %d pages" % (total["sites"], total["pairs"],
                                                   os.path.getsize(merged_path) / 1e6, min_count))

        t2 = time.monotonic()
        # Each shard to a file of its own (JSONL output) or a tree of its
        # own (a directory output: the one file chaff clean would write for
        # it, under its relative name).
        part_of = [os.path.join(work, "parts", "%06d.jsonl" % i) if jsonl_out
                   else os.path.join(work, "trees", "%06d" % i) + os.sep
                   for i in range(len(shards))]
        os.makedirs(os.path.join(work, "parts" if jsonl_out else "trees"))
        cleans = _per_shard(client, "clean", clean_task, len(shards),
                            lambda i: (shared, i, merged_path, part_of[i], clean_options, merged),
                            tag, retries)
        cleaned = _wait_all(client, cleans, names, "clean", progress)
        times["clean"] = time.monotonic() - t2
        records = docs + sum(c["bad_records"] for c in counted)
        if sum(c["documents"] for c in cleaned) != records:
            raise TaskFailed("clean read %d records, count %d"
                             % (sum(c["documents"] for c in cleaned), records))
        kept_bytes = sum(c["kept_bytes"] for c in cleaned)
        removed_bytes = sum(c["removed_bytes"] for c in cleaned)
        progress.stage_done("clean", "%d shards, kept %.1f MB, removed %.1f MB"
                            % (len(shards), kept_bytes / 1e6, removed_bytes / 1e6))

        # The cleaned shards, in the order of the inputs.
        if jsonl_out:
            written = [(part_of[i], shards[i][1], shards[i][2], shards[i][3])
                       for i in range(len(shards)) if os.path.exists(part_of[i])]
        else:
            written = []
            for i in range(len(shards)):
                rel = _only_file_under(part_of[i])
                if rel is not None:
                    written.append((os.path.join(part_of[i], rel), shards[i][1], rel,
                                    shards[i][3]))
        stats = {"shards": len(shards), "documents": docs, "input_bytes": in_bytes,
                 "counts_bytes": counts_bytes, "merged_counts_bytes": os.path.getsize(merged_path),
                 "kept_bytes": kept_bytes, "removed_bytes": removed_bytes, "times": times}
        if dedupe:
            t3 = time.monotonic()
            d = _dedupe_shards(written, output, "", client, work, retries, True, progress,
                               keep_work_dir, dict(threshold=dedupe_threshold,
                                                   text_field=text_field, id_field=id_field,
                                                   skip_bad_records=skip_bad_records))
            times["dedupe"] = time.monotonic() - t3
            stats["near_duplicates"] = d["removed"]
            stats["worker_peak_rss"] = d["worker_peak_rss"]
            return stats
        # Every task succeeded: the outputs appear, together.
        t3 = time.monotonic()
        if jsonl_out:
            _join_parts([w[0] for w in written], output)
        else:
            for i in range(len(shards)):
                _move_tree(part_of[i], output)
            os.makedirs(output, exist_ok=True)
        times["write"] = time.monotonic() - t3
        progress.stage_done("write", "%s" % output)
        try:
            stats["worker_peak_rss"] = client.run(peak_rss_bytes)
        except Exception:  # a worker gone since: not worth failing the run
            stats["worker_peak_rss"] = {}
        return stats
    finally:
        if not keep_work_dir:
            shutil.rmtree(work, ignore_errors=True)


def _parser():
    p = argparse.ArgumentParser(
        prog="python3 -m chaff.dask",
        description="chaff's stages on a Dask cluster, with the output of the single-process "
                    "commands (docs/cluster.md).")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser(
        "dedupe",
        help="chaff dedupe as sketch, cluster and apply tasks",
        description="Removes near-duplicate documents like chaff dedupe SHARD... -o OUT, "
                    "running one sketch and one apply task per shard on Dask workers.")
    d.add_argument("shards", nargs="+", help="shards: files or directories (walked, sorted)")
    d.add_argument("-o", "--output", required=True,
                   help="a .jsonl file (.gz/.zst compress), - for stdout, or a directory")
    d.add_argument("--clusters", default="", help="also write the clusters file, as chaff dedupe")
    _add_cluster_arguments(d)
    d.add_argument("--threshold", type=float, default=0.8)
    d.add_argument("--num-hashes", type=int, default=chaff.DEFAULT_NUM_HASHES)
    d.add_argument("--sketch", choices=["oph", "classic"], default="oph")
    d.add_argument("--shingle-width", type=int, default=chaff.DEFAULT_SHINGLE_WIDTH)
    d.add_argument("--bands", type=int, default=0)
    d.add_argument("--rows", type=int, default=0)
    d.add_argument("--fn-weight", type=float, default=chaff.DEFAULT_FN_WEIGHT)
    d.add_argument("--text-field", default="text")
    d.add_argument("--id-field", default="id")
    d.add_argument("--skip-bad-records", action="store_true")
    d.add_argument("--no-split-chains", action="store_true",
                   help="union-find components instead of stars (as chaff dedupe)")
    d.add_argument("-q", "--quiet", action="store_true", help="no progress and no summary")

    c = sub.add_parser(
        "clean",
        help="chaff clean as count, merge and clean tasks (and the dedupe stages)",
        description="Cleans shards like chaff clean SHARD... -o OUT [--dedupe], running one "
                    "count and one clean task per shard on Dask workers, with the template "
                    "line counts of all shards.")
    c.add_argument("shards", nargs="+", help="shards: files or directories (walked, sorted)")
    c.add_argument("-o", "--output", required=True,
                   help="a .jsonl file (.gz/.zst compress), - for stdout, or a directory")
    _add_cluster_arguments(c)
    c.add_argument("--dedupe", action="store_true",
                   help="also drop near-duplicate documents, judged on their cleaned text")
    c.add_argument("--dedupe-threshold", type=float, default=0.8)
    c.add_argument("--annotate", action="store_true",
                   help="write annotations instead of cleaned text (as chaff clean)")
    c.add_argument("--no-chrome", action="store_true")
    c.add_argument("--no-repeats", action="store_true")
    c.add_argument("--template-min-documents", type=int, default=5)
    c.add_argument("--template-min-count", type=int, default=3)
    c.add_argument("--template-min-share", type=float, default=0.1)
    c.add_argument("--line-model", help="a line model file (tools/train/train_line_model.py)")
    c.add_argument("--text-field", default="text")
    c.add_argument("--id-field", default="id")
    c.add_argument("--site-field", default="url")
    c.add_argument("--skip-bad-records", action="store_true")
    c.add_argument("-q", "--quiet", action="store_true", help="no progress and no summary")
    return p


def _add_cluster_arguments(p):
    p.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://host:8786); "
                   "default: a local cluster of worker processes")
    p.add_argument("--scheduler-file",
                   help="the JSON file of `dask-scheduler --scheduler-file FILE` (on a shared "
                   "file system: how Slurm jobs find their scheduler)")
    p.add_argument("--wait-for-workers", type=int, default=0, metavar="N",
                   help="with --scheduler(-file): wait until N workers have joined")
    p.add_argument("--workers", type=int, default=0,
                   help="worker processes of the local cluster (default: one per core)")
    p.add_argument("--work-dir", help="where intermediate files go (visible to every worker; "
                   "default: beside the output)")
    p.add_argument("--keep-work-dir", action="store_true", help="keep the intermediate files")
    p.add_argument("--retries", type=int, default=2, help="retries of a failed task (default 2)")


def main(argv=None):
    args = _parser().parse_args(argv)
    import logging

    from distributed import Client, LocalCluster

    if args.command == "dedupe":
        options = dict(threshold=args.threshold, num_hashes=args.num_hashes, sketch=args.sketch,
                       shingle_width=args.shingle_width, bands=args.bands, rows=args.rows,
                       fn_weight=args.fn_weight, text_field=args.text_field,
                       id_field=args.id_field, skip_bad_records=args.skip_bad_records)
    else:
        options = dict(chrome=not args.no_chrome, repeats=not args.no_repeats,
                       template_min_documents=args.template_min_documents,
                       template_min_count=args.template_min_count,
                       template_min_share=args.template_min_share,
                       dedupe=args.dedupe, dedupe_threshold=args.dedupe_threshold,
                       annotate=args.annotate, text_field=args.text_field,
                       id_field=args.id_field, site_field=args.site_field,
                       skip_bad_records=args.skip_bad_records)
        if args.line_model:
            options["line_model"] = args.line_model
    start = time.monotonic()
    cluster = None
    try:
        if args.scheduler or args.scheduler_file:
            client = (Client(args.scheduler) if args.scheduler
                      else Client(scheduler_file=args.scheduler_file))
            if args.wait_for_workers > 0:
                client.wait_for_workers(args.wait_for_workers)
        else:
            workers = args.workers or os.cpu_count() or 1
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
        try:
            if args.command == "dedupe":
                stats = dedupe(args.shards, args.output, clusters=args.clusters, client=client,
                               work_dir=args.work_dir, retries=args.retries,
                               split_chains=not args.no_split_chains, quiet=args.quiet,
                               keep_work_dir=args.keep_work_dir, **options)
            else:
                stats = clean(args.shards, args.output, client=client, work_dir=args.work_dir,
                              retries=args.retries, quiet=args.quiet,
                              keep_work_dir=args.keep_work_dir, **options)
        finally:
            client.close()
    except (TaskFailed, ValueError, OSError) as e:
        sys.stderr.write("chaff.dask: error: %s\n" % e)
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("chaff.dask: interrupted; no output was written\n")
        return 130
    finally:
        if cluster is not None:
            cluster.close()
    if not args.quiet and args.command == "clean":
        secs = time.monotonic() - start
        t = stats["times"]
        sys.stderr.write(
            "chaff.dask clean: %d shards, %d documents, %.1f MB in %.2f s (%.1f MB/s): kept "
            "%.1f MB, removed %.1f MB%s; count %.2f s, merge %.2f s, clean %.2f s; counts "
            "files %.1f MB in all (%.0f bytes per document), %.1f MB merged\n"
            % (stats["shards"], stats["documents"], stats["input_bytes"] / 1e6, secs,
               stats["input_bytes"] / secs / 1e6 if secs > 0 else 0.0,
               stats["kept_bytes"] / 1e6, stats["removed_bytes"] / 1e6,
               ", %d near-duplicates dropped" % stats["near_duplicates"]
               if "near_duplicates" in stats else "",
               t["count"], t["merge"], t["clean"], stats["counts_bytes"] / 1e6,
               stats["counts_bytes"] / max(stats["documents"], 1),
               stats["merged_counts_bytes"] / 1e6))
    elif not args.quiet:
        secs = time.monotonic() - start
        t = stats["times"]
        sys.stderr.write(
            "chaff.dask dedupe: %d shards, %d documents, %.1f MB in %.2f s (%.1f MB/s): %d "
            "duplicate clusters, removed %d, kept %d; sketch %.2f s, cluster %.2f s, apply "
            "%.2f s, write %.2f s; sketches %.1f MB (%.0f bytes per document)\n"
            % (stats["shards"], stats["documents"], stats["input_bytes"] / 1e6, secs,
               stats["input_bytes"] / secs / 1e6 if secs > 0 else 0.0,
               stats["duplicate_clusters"], stats["removed"], stats["kept"], t["sketch"],
               t["cluster"], t["apply"], t["write"], stats["sketch_bytes"] / 1e6,
               stats["sketch_bytes"] / max(stats["documents"], 1)))
    if not args.quiet:
        peaks = stats.get("worker_peak_rss")
        if peaks:
            sys.stderr.write("chaff.dask %s: peak memory per worker: %s\n" % (args.command, ", ".join(
                "%.0f MB" % (peaks[w] / 1e6) for w in sorted(peaks))))
    return 0


if __name__ == "__main__":
    # Run as chaff.dask (not __main__), so that tasks are pickled by reference.
    from chaff.dask import main as _main

    sys.exit(_main())
