"""How long a shuffle by band key would take, for the choice of the Dask
pipeline's cluster step (docs/cluster.md, "Gather or shuffle").

    /usr/bin/python3 scripts/bench_shuffle.py [DOCUMENTS] [BANDS] [PARTITIONS] [WORKERS]

(defaults: 427964 25 64 2: the 1 GB scale run). Builds the (band key, document)
table of that many documents (random 32-bit keys, as band keys are, with 8%
of documents sharing all their keys with an earlier one), one partition per
shard, and times dask.dataframe's shuffle of it by key on a LocalCluster of
worker processes, then finding the runs of equal keys in each partition: the
work a shuffle-based cluster step would do before verifying candidates and
deciding stars, which still needs one pass in input order. Compare with the
cluster step's time in the scale run (the gather: every sketch file read in
order by one task, decisions made as chaff dedupe makes them)."""

import logging
import sys
import time

import numpy as np
import pandas as pd
import dask.dataframe as dd
from distributed import Client, LocalCluster


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 427964
    bands = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    parts = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    rng = np.random.default_rng(1)
    keys = rng.integers(0, 2**32, size=(n, bands), dtype=np.uint32)
    dup = rng.random(n) < 0.08
    src = (rng.random(n) * np.arange(n)).astype(np.int64)
    keys[dup] = keys[src[dup]]
    frames = []
    for p in np.array_split(np.arange(n), parts):
        frames.append(pd.DataFrame({"key": (keys[p].astype(np.uint64) << 8 | np.arange(bands, dtype=np.uint64)).ravel(),
                                    "doc": np.repeat(p.astype(np.uint32), bands)}))
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    client = Client(cluster)
    ddf = dd.from_delayed([client.scatter(f) for f in frames], meta=frames[0].iloc[:0])
    ddf = client.persist(ddf)
    ddf.count().compute()
    t0 = time.perf_counter()
    shuffled = ddf.shuffle("key", npartitions=parts, shuffle="tasks")

    def pairs(df):
        counts = df.groupby("key")["doc"].transform("size")
        return pd.DataFrame({"candidates": [int((counts > 1).sum())]})

    found = shuffled.map_partitions(pairs, meta={"candidates": "int64"}).compute()
    secs = time.perf_counter() - t0
    rows = n * bands
    print("shuffle of %d (key, doc) rows (%.0f MB) in %d partitions on %d workers: %.2f s; "
          "%d entries in runs of equal keys" % (rows, rows * 12 / 1e6, parts, workers, secs,
                                                int(found["candidates"].sum())))
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
