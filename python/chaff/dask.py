"""chaff's sharded dedupe on a Dask cluster.

    python3 -m chaff.dask dedupe SHARD... -o OUT [--clusters FILE]
                          [--scheduler ADDRESS | --workers N] [options]

runs the stages of ``chaff sketch`` / ``chaff cluster`` / ``chaff apply`` as
Dask tasks: one sketch task per shard (in parallel), one cluster task (a
gather: it reads every shard's sketch file in the order of the shard list, as
``chaff cluster`` does), one apply task per shard (in parallel), and the
driver then joins the parts into OUT. The output (kept records, clusters
file) is byte for byte that of ``chaff dedupe SHARD... -o OUT``, whatever the
number of workers or shards.

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

__all__ = ["dedupe", "main"]


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


def _move_tree(src, dst):
    """Moves every file under src to the same place under dst."""
    for root, _dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        target_dir = os.path.normpath(os.path.join(dst, rel))
        os.makedirs(target_dir, exist_ok=True)
        for f in files:
            shutil.move(os.path.join(root, f), os.path.join(target_dir, f))


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
    progress = _Progress(quiet)
    shards = chaff.list_shards(list(paths))
    if not shards:
        raise ValueError("no shards")
    chaff.check_output(shards, output, clusters)
    jsonl_out = _is_jsonl_output(output)
    if work_dir is None:
        base = os.path.dirname(os.path.abspath(output)) if output != "-" else os.getcwd()
        work = tempfile.mkdtemp(prefix=".chaff-dask-", dir=base)
    else:
        os.makedirs(work_dir, exist_ok=True)
        work = tempfile.mkdtemp(prefix="chaff-dask-", dir=work_dir)
    work = os.path.abspath(work)
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
        sketches = [client.submit(sketch_task, shared, i, sketch_dir, options,
                                  key="chaff-sketch-%d-%s" % (i, os.path.basename(work)),
                                  retries=retries, pure=False)
                    for i in range(len(shards))]
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
                                  key="chaff-cluster-" + os.path.basename(work))
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
        applies = [client.submit(apply_task, shared, i, decisions, part_of[i], clustered,
                                 key="chaff-apply-%d-%s" % (i, os.path.basename(work)),
                                 retries=retries, pure=False)
                   for i in range(len(shards))]
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
    d.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://host:8786); "
                   "default: a local cluster of worker processes")
    d.add_argument("--scheduler-file",
                   help="the JSON file of `dask-scheduler --scheduler-file FILE` (on a shared "
                   "file system: how Slurm jobs find their scheduler)")
    d.add_argument("--wait-for-workers", type=int, default=0, metavar="N",
                   help="with --scheduler(-file): wait until N workers have joined")
    d.add_argument("--workers", type=int, default=0,
                   help="worker processes of the local cluster (default: one per core)")
    d.add_argument("--work-dir", help="where intermediate files go (visible to every worker; "
                   "default: beside the output)")
    d.add_argument("--keep-work-dir", action="store_true", help="keep the intermediate files")
    d.add_argument("--retries", type=int, default=2, help="retries of a failed task (default 2)")
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
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    import logging

    from distributed import Client, LocalCluster

    options = dict(threshold=args.threshold, num_hashes=args.num_hashes, sketch=args.sketch,
                   shingle_width=args.shingle_width, bands=args.bands, rows=args.rows,
                   fn_weight=args.fn_weight, text_field=args.text_field,
                   id_field=args.id_field, skip_bad_records=args.skip_bad_records)
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
            stats = dedupe(args.shards, args.output, clusters=args.clusters, client=client,
                           work_dir=args.work_dir, retries=args.retries,
                           split_chains=not args.no_split_chains, quiet=args.quiet,
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
    if not args.quiet:
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
        peaks = stats["worker_peak_rss"]
        if peaks:
            sys.stderr.write("chaff.dask dedupe: peak memory per worker: %s\n" % ", ".join(
                "%.0f MB" % (peaks[w] / 1e6) for w in sorted(peaks)))
    return 0


if __name__ == "__main__":
    # Run as chaff.dask (not __main__), so that tasks are pickled by reference.
    from chaff.dask import main as _main

    sys.exit(_main())
