"""Type stub of chaff._chaff (python/_chaff.cc), re-exported by chaff."""

from typing import Any, Iterable, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

Text = Union[str, bytes]
# A shard as list_shards gives it: (path, name, relative, from_walk).
Shard = Tuple[str, str, str, bool]

DEFAULT_NUM_HASHES: int
DEFAULT_SHINGLE_WIDTH: int
DEFAULT_FN_WEIGHT: float
DEFAULT_TEMPLATE_MIN_COUNT: int
SIMD_TARGET: str

class DataError(ValueError):
    """Malformed input data or chaff file; the message names the file (and line)."""

class Span:
    """A removed byte range [begin, end) of the original text (UTF-8 for a str)."""

    @property
    def begin(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def first_line(self) -> int: ...
    @property
    def last_line(self) -> int: ...
    @property
    def repeats(self) -> Optional[int]: ...

class CleanResult:
    @property
    def text(self) -> Text: ...
    @property
    def spans(self) -> list[Span]: ...
    @property
    def accounting(self) -> dict[str, dict[str, int]]: ...
    @property
    def kept_bytes(self) -> int: ...
    @property
    def removed_bytes(self) -> int: ...

class ExplainedLine:
    @property
    def number(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def repeats(self) -> Optional[int]: ...
    @property
    def text(self) -> Text: ...

class TemplateCounts:
    def __init__(self) -> None: ...
    def add(self, text: Text, url: str = "") -> None: ...
    def merge(self, other: TemplateCounts) -> None: ...
    def load(self, path: str) -> None: ...
    def save(self, path: str) -> None: ...
    def to_bytes(self) -> bytes: ...
    def merge_bytes(self, data: bytes) -> None: ...
    @property
    def documents(self) -> int: ...
    @property
    def sites(self) -> int: ...
    @property
    def pairs(self) -> int: ...

class Cleaner:
    def __init__(
        self,
        *,
        chrome: bool = ...,
        repeats: bool = ...,
        min_repeat_tokens: int = ...,
        repeat_containment: float = ...,
        near_repeats: bool = ...,
        line_model: Optional[str] = ...,
        counts: Union[None, TemplateCounts, str, Sequence[str]] = ...,
        template_min_documents: int = ...,
        template_min_count: int = ...,
        template_min_share: float = ...,
    ) -> None: ...
    def clean(self, text: Text, url: Optional[str] = None) -> CleanResult: ...
    def clean_batch(
        self, texts: Sequence[Text], urls: Optional[Sequence[Optional[str]]] = None, threads: int = 0
    ) -> list[CleanResult]: ...
    def explain(self, text: Text, url: Optional[str] = None) -> list[ExplainedLine]: ...
    @property
    def has_counts(self) -> bool: ...

def clean(text: Text, **options: object) -> CleanResult: ...
def explain(text: Text, **options: object) -> list[ExplainedLine]: ...
def signature(
    text: Text, num_hashes: int = ..., sketch: str = "oph", shingle_width: int = ...
) -> npt.NDArray[np.uint32]: ...
def band_keys(signature: npt.ArrayLike, bands: int, rows: int) -> npt.NDArray[np.uint32]: ...
def lsh_params(
    threshold: float = 0.8, num_hashes: int = ..., fn_weight: float = ...
) -> Tuple[int, int]: ...

class DedupeResult:
    @property
    def representative(self) -> npt.NDArray[np.uint32]: ...
    @property
    def similarity(self) -> npt.NDArray[np.float32]: ...
    @property
    def kept(self) -> npt.NDArray[np.bool_]: ...
    @property
    def documents(self) -> int: ...
    @property
    def removed(self) -> int: ...
    @property
    def duplicate_clusters(self) -> int: ...
    @property
    def empty_documents(self) -> int: ...
    @property
    def bands(self) -> int: ...
    @property
    def rows(self) -> int: ...

def dedupe(
    texts: Iterable[Text],
    threshold: float = 0.8,
    num_hashes: int = ...,
    sketch: str = "oph",
    shingle_width: int = ...,
    bands: int = 0,
    rows: int = 0,
    fn_weight: float = ...,
    exact: bool = False,
    split_chains: bool = True,
    threads: int = 0,
) -> DedupeResult: ...
def list_shards(paths: Sequence[str]) -> list[Shard]: ...
def sketch_shards(
    shards: Sequence[Shard],
    output_dir: str,
    only: Optional[Sequence[int]] = None,
    threshold: float = 0.8,
    num_hashes: int = ...,
    sketch: str = "oph",
    shingle_width: int = ...,
    bands: int = 0,
    rows: int = 0,
    fn_weight: float = ...,
    text_field: str = "text",
    id_field: str = "id",
    skip_bad_records: bool = False,
    threads: int = 0,
) -> dict[str, object]: ...
def cluster_sketches(
    paths: Sequence[str],
    decisions: str,
    clusters: str = "",
    split_chains: bool = True,
    threads: int = 0,
) -> dict[str, int]: ...
def apply_decisions(decisions: str, shards: Sequence[Shard], output: str) -> dict[str, int]: ...
def check_output(shards: Sequence[Shard], output: str, clusters: str = "") -> None: ...
def concatenate(parts: Sequence[str], output: str) -> int: ...
def count_shards(
    shards: Sequence[Shard],
    output: str,
    text_field: str = "text",
    site_field: str = "url",
    skip_bad_records: bool = False,
    threads: int = 0,
) -> dict[str, Any]: ...
def merge_counts(paths: Sequence[str], output: str, min_count: int = 0) -> dict[str, int]: ...
def clean_shards(
    shards: Sequence[Shard],
    output: str,
    counts: Union[None, str, Sequence[str]] = None,
    annotate: bool = False,
    templates: bool = True,
    dedupe: bool = False,
    dedupe_threshold: float = 0.8,
    text_field: str = "text",
    id_field: str = "id",
    site_field: str = "url",
    skip_bad_records: bool = False,
    threads: int = 0,
    **options: object,
) -> dict[str, Any]: ...
