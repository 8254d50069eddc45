"""chaff: separates the grain of a text corpus from its chaff.

A thin binding over chaff's C++ library (the GIL is released while it works):

* cleaning one document: ``clean(text, **options)``, ``Cleaner(**options)``,
  ``explain(text)``;
* near-duplicates: ``signature(text)``, ``band_keys(sig, bands, rows)``,
  ``lsh_params(threshold)``, ``dedupe(texts, threshold=0.8)`` over a batch;
* the stages of a sharded dedupe, as ``chaff sketch`` / ``cluster`` /
  ``apply`` run them: ``list_shards``, ``sketch_shards``,
  ``cluster_sketches``, ``apply_decisions`` (driven on a cluster by
  ``python3 -m chaff.dask``, see docs/cluster.md);
* template lines across shards, as ``chaff count`` / ``chaff clean --counts``
  run them: ``TemplateCounts`` (per-site line counts: add, merge, load,
  save; ``Cleaner(counts=...)``), ``count_shards``, ``merge_counts``,
  ``clean_shards``; ``Cleaner.clean_batch`` cleans a batch of records on
  several threads.

Errors raise ``ValueError`` (bad arguments), ``chaff.DataError`` (a
``ValueError``: malformed data or files), ``FileNotFoundError`` and
``OSError``, with the library's message.
"""

from ._chaff import (
    DEFAULT_FN_WEIGHT,
    DEFAULT_NUM_HASHES,
    DEFAULT_SHINGLE_WIDTH,
    DEFAULT_TEMPLATE_MIN_COUNT,
    SIMD_TARGET,
    Cleaner,
    CleanResult,
    DataError,
    DedupeResult,
    ExplainedLine,
    Span,
    TemplateCounts,
    apply_decisions,
    band_keys,
    check_clean_output,
    check_output,
    clean,
    clean_shards,
    cluster_sketches,
    concatenate,
    count_shards,
    dedupe,
    explain,
    list_shards,
    lsh_params,
    merge_counts,
    signature,
    sketch_shards,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_FN_WEIGHT",
    "DEFAULT_NUM_HASHES",
    "DEFAULT_SHINGLE_WIDTH",
    "DEFAULT_TEMPLATE_MIN_COUNT",
    "SIMD_TARGET",
    "Cleaner",
    "CleanResult",
    "DataError",
    "DedupeResult",
    "ExplainedLine",
    "Span",
    "TemplateCounts",
    "apply_decisions",
    "band_keys",
    "check_clean_output",
    "check_output",
    "clean",
    "clean_shards",
    "cluster_sketches",
    "concatenate",
    "count_shards",
    "dedupe",
    "explain",
    "list_shards",
    "lsh_params",
    "merge_counts",
    "signature",
    "sketch_shards",
]
