"""Shared by the line-model scripts: the wcxb-dev and ScrapingHub pages, the
domain folds, the benchmark metrics, and running the chaff binary.

Run the scripts with Debian's /usr/bin/python3 (python3-sklearn, numpy).
"""
import json
import os
import re
import subprocess
import tempfile
import zlib
from collections import Counter
from urllib.parse import urlparse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DATA = os.environ.get("CHAFF_DATA", os.path.join(ROOT, "..", "shared", "data"))
TYPES = ["article", "documentation", "service", "forum", "collection", "listing", "product"]
FOLDS = 5

# Published word F1 on this development split, reading the HTML
# (wcxb-dev/README.md): rs-trafilatura and Trafilatura.
PUBLISHED = {
    "article": (0.932, 0.926), "documentation": (0.932, 0.888), "service": (0.844, 0.763),
    "forum": (0.808, 0.585), "collection": (0.716, 0.553), "listing": (0.707, 0.589),
    "product": (0.641, 0.567),
}

METRIC_RE = re.compile(r"\w+")  # the benchmark's words (Python re, Unicode)


def load_wcxb():
    """The pages, in file order: dicts with id, text, url, page_type, gold,
    with (snippets to keep), without (snippets to remove)."""
    d = os.path.join(DATA, "wcxb-dev")
    gold = {}
    with open(os.path.join(d, "gold.jsonl"), encoding="utf-8") as f:
        for line in f:
            g = json.loads(line)
            gold[g["id"]] = g
    pages = []
    with open(os.path.join(d, "inputs.jsonl"), encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            g = gold[p["id"]]
            p["gold"] = g["main_content"]
            p["with"] = g.get("with") or []
            p["without"] = g.get("without") or []
            pages.append(p)
    return pages


def load_scrapinghub():
    d = os.path.join(DATA, "scrapinghub")
    with open(os.path.join(d, "plain-text.json"), encoding="utf-8") as f:
        pt = json.load(f)["output"]
    with open(os.path.join(d, "ground-truth.json"), encoding="utf-8") as f:
        gt = json.load(f)
    return [{"id": i, "text": pt[i]["articleBody"], "gold": gt[i]["articleBody"],
             "url": gt[i].get("url", "")} for i in sorted(gt)]


def domain_of(url):
    host = (urlparse(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def fold_of(page):
    """The page's fold: CRC-32 of its domain, mod FOLDS (a site never spans
    two folds)."""
    return zlib.crc32(domain_of(page["url"]).encode("utf-8")) % FOLDS


def word_prf(pred, gold):
    """Word precision, recall and F1 of one page: bags of lower-cased \\w+."""
    p = Counter(METRIC_RE.findall(pred.lower()))
    g = Counter(METRIC_RE.findall(gold.lower()))
    np_, ng = sum(p.values()), sum(g.values())
    if np_ == 0 and ng == 0:
        return 1.0, 1.0, 1.0
    if np_ == 0 or ng == 0:
        return 0.0, 0.0, 0.0
    tp = sum((p & g).values())
    if tp == 0:
        return 0.0, 0.0, 0.0
    prec, rec = tp / np_, tp / ng
    return prec, rec, 2 * prec * rec / (prec + rec)


def _squash(s):
    return " ".join(s.lower().split())


def snippet_shares(pred, page):
    """Shares of `with` snippets present and of `without` snippets absent
    (None when the page has none), on lower-cased, space-collapsed text."""
    t = _squash(pred)
    w = page["with"]
    wo = page["without"]
    kept = sum(_squash(s) in t for s in w) / len(w) if w else None
    gone = sum(_squash(s) not in t for s in wo) / len(wo) if wo else None
    return kept, gone


def run_chaff(chaff, pages, args=()):
    """Cleans `pages` (dicts with id, url, text) in one chaff clean run (so
    that template lines are counted across them) and returns the cleaned
    texts in the same order."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.jsonl")
        out = os.path.join(tmp, "out.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            for p in pages:
                f.write(json.dumps({"id": p["id"], "url": p.get("url", ""), "text": p["text"]},
                                   ensure_ascii=False) + "\n")
        subprocess.run([chaff, "clean", src, "-o", out, "-q"] + list(args), check=True)
        with open(out, encoding="utf-8") as f:
            cleaned = {r["id"]: r["text"] for r in map(json.loads, f)}
    return [cleaned[p["id"]] for p in pages]


# --- Languages ---------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+")
_LISTS = None


def _stoplists():
    """chaff's built-in stoplists, read from their generated sources."""
    global _LISTS
    if _LISTS is None:
        import unicodedata
        _LISTS = {}
        src = ""
        for name in ("stoplist_en.cc", "stoplist_snowball.cc"):
            with open(os.path.join(ROOT, "src", "text", name), encoding="utf-8") as f:
                src += f.read()
        for m in re.finditer(r"const char\* const k(\w+)\[\] = \{(.*?)\};", src, re.S):
            words = re.findall(r'"([^"]*)"', m.group(2))
            fold = lambda w: "".join(c for c in unicodedata.normalize("NFKD", w.casefold())
                                     if not unicodedata.combining(c))
            _LISTS[m.group(1).replace("Stopwords", "").lower()] = frozenset(map(fold, words))
    return _LISTS


def page_language(text):
    """'english', another built-in list's language when it holds at least 5%
    of the page's words, 'non-latin' when most letters are not Latin,
    'unknown', or 'empty' (no word)."""
    import unicodedata
    words = ["".join(c for c in unicodedata.normalize("NFKD", w.casefold())
                     if not unicodedata.combining(c)) for w in _WORD_RE.findall(text)]
    if not words:
        return "empty"
    letters = [c for c in text if c.isalpha()]
    if sum(ord(c) < 0x250 for c in letters) < 0.5 * max(len(letters), 1):
        return "non-latin"
    share = {k: sum(w in v for w in words) / len(words) for k, v in _stoplists().items()}
    best = max(share, key=share.get)
    if best == "english":
        return "english"
    return best if share[best] >= 0.05 else "unknown"


def scramble(text):
    """The same text in an unseen language: every word replaced by a
    pseudo-word of its length (case and digits kept; the same word always
    gives the same pseudo-word), punctuation and lines kept."""
    import hashlib
    letters = "bcdfghjklmnpqrstvwxzaeiouy"

    def pseudo(m):
        w = m.group(0)
        h = hashlib.md5(("scramble:" + w.lower()).encode("utf-8")).digest()
        out = []
        for i, c in enumerate(w):
            if c.isdigit():
                out.append(c)
            else:
                ch = letters[(h[i % 16] + i // 16) % 26]
                out.append(ch.upper() if c.isupper() else ch)
        return "".join(out)
    return _WORD_RE.sub(pseudo, text)
