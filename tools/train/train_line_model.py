#!/usr/bin/python3
"""Trains chaff's line model on the wcxb-dev pages and writes the built-in
model (src/detect/line_model_data.cc) or cross-validation fold models.

    /usr/bin/python3 tools/train/train_line_model.py [--chaff-build build]
        [--cv DIR]      write DIR/fold<k>.json, each trained without the pages
                        of fold k (tools/train/eval_wcxb.py --models DIR
                        scores them)
        [--final]       train on every page and regenerate
                        src/detect/line_model_data.cc (the default)

Deterministic: the same data and build give the same bytes (fixed seeds,
one thread per fit). Needs Debian's python3-sklearn and python3-numpy, the
built chaff-line-features tool, and ../shared/data/wcxb-dev.

The model (see include/chaff/detect/line_model.h):
  labels   a non-blank line is content when at least half of its words
           (lower-cased \\w+) align with the page's gold text (difflib on the
           word lists of the whole page and the gold text); lines without a
           word are not trained on.
  tokens   a table of clipped log-odds of content per token hash bucket
           (2^18 buckets, add-2 smoothing, clipped to +-4, stored as int8),
           from the training pages; a line's features are the mean and sum of
           its distinct buckets' weights and word-weighted means over +-1,
           +-3 and +-10 lines. Training lines get out-of-fold weights (a
           table fitted without their fold), so the trees see the same kind
           of values they will see on new pages.
  stage 1  gradient-boosted trees (HistGradientBoostingClassifier) on the
           112 line features of chaff-line-features plus the 5 token
           features; lines weighted by their share of the page's words.
  stage 2  (--stage2, not in the built-in model: it did not improve the
           cross-validated F1) gradient-boosted trees on the line features plus
           26 features of the stage-1 probabilities around each line
           (out-of-fold for training lines).
  decoding per page, the threshold of highest expected word F1 (in C++).
"""
import argparse
import base64
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from difflib import SequenceMatcher
from multiprocessing import Pool

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wcxb  # noqa: E402

TOKEN_BITS = 18
TOKEN_CLIP = 4.0
TOKEN_SCALE = TOKEN_CLIP / 127.0
STAGE1 = dict(max_iter=100, max_leaf_nodes=31, max_depth=8, learning_rate=0.1,
              random_state=0, early_stopping=False)
STAGE2 = dict(max_iter=60, max_leaf_nodes=15, learning_rate=0.1, random_state=0,
              early_stopping=False)
GENERATED = os.path.join(wcxb.ROOT, "src", "detect", "line_model_data.cc")


def log(msg):
    print("train_line_model: " + msg, file=sys.stderr, flush=True)


# --- Data ------------------------------------------------------------------

class Pages:
    """The features of every non-blank line of `pages`, as chaff computes them."""

    def __init__(self, build, pages):
        self.pages = pages
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "pages.jsonl")
            with open(src, "w", encoding="utf-8") as f:
                for p in pages:
                    f.write(json.dumps({"id": p["id"], "text": p["text"]}, ensure_ascii=False) + "\n")
            out = os.path.join(tmp, "features")
            subprocess.run([os.path.join(build, "chaff-line-features"), src, "-o", out], check=True)
            load = lambda name: np.load(os.path.join(out, name + ".npy"))
            self.F = load("features")
            self.page = load("page").astype(np.int64)
            self.line = load("line").astype(np.int64)
            self.begin = load("begin").astype(np.int64)
            self.end = load("end").astype(np.int64)
            self.tok_indptr = load("tok_indptr")
            self.tok_idx = load("tok_idx")
            with open(os.path.join(out, "names.txt")) as f:
                self.names = f.read().split()
        self.npages = len(pages)
        self.start = np.searchsorted(self.page, np.arange(self.npages + 1))
        self.words = self.F[:, self.names.index("nw")].astype(np.float64)
        self.fold = np.array([wcxb.fold_of(p) for p in pages])[self.page]


def _label_page(args):
    text, gold, spans = args
    raw = text.encode("utf-8")
    vocab = {}
    a, owner = [], []
    for i, (b, e) in enumerate(spans):
        for w in wcxb.METRIC_RE.findall(raw[b:e].decode("utf-8", "replace").lower()):
            a.append(vocab.setdefault(w, len(vocab)))
            owner.append(i)
    gw = [vocab.setdefault(w, len(vocab)) for w in wcxb.METRIC_RE.findall(gold.lower())]
    matched = [0] * len(spans)
    total = [0] * len(spans)
    for i in owner:
        total[i] += 1
    if a and gw:
        for blk in SequenceMatcher(None, a, gw, autojunk=False).get_matching_blocks():
            for k in range(blk.a, blk.a + blk.size):
                matched[owner[k]] += 1
    return [-1 if t == 0 else (1 if 2 * m >= t else 0) for m, t in zip(matched, total)]


def labels(d):
    """Per row: 1 content, 0 boilerplate, -1 no word (not trained on)."""
    jobs = []
    for j, p in enumerate(d.pages):
        s, e = d.start[j], d.start[j + 1]
        jobs.append((p["text"], p["gold"], list(zip(d.begin[s:e], d.end[s:e]))))
    with Pool(2) as pool:
        out = pool.map(_label_page, jobs, chunksize=8)
    return np.array([x for page in out for x in page], dtype=np.int8)


def page_weights(d, rows):
    """A line's weight: its share of its page's words (each page sums to about 1000)."""
    pw = np.bincount(d.page, weights=d.words, minlength=d.npages)
    return np.maximum(d.words[rows], 1) / np.maximum(pw[d.page[rows]], 1) * 1000.0


# --- Token table ------------------------------------------------------------

def fit_tokens(d, y, rows):
    """Quantized log-odds of content per token bucket, from `rows`."""
    rows = rows & (y >= 0)
    lens = np.diff(d.tok_indptr)
    row_of = np.repeat(np.arange(len(lens)), lens)
    take = rows[row_of]
    b = d.tok_idx[take]
    yy = y[row_of[take]]
    c1 = np.bincount(b[yy == 1], minlength=1 << TOKEN_BITS).astype(np.float64)
    c0 = np.bincount(b[yy == 0], minlength=1 << TOKEN_BITS).astype(np.float64)
    r = (y[rows] == 1).sum() / max((y[rows] == 0).sum(), 1)
    w = np.log((c1 + 2.0 * r) / (c0 + 2.0)) - math.log(r)
    q = np.clip(np.rint(np.clip(w, -TOKEN_CLIP, TOKEN_CLIP) / TOKEN_SCALE), -127, 127)
    return q.astype(np.int8)


def token_features(d, table):
    """tok_mean, tok_sum, tok_w1, tok_w3, tok_w10 per row, as line_model.cc computes them."""
    w = table.astype(np.float64) * TOKEN_SCALE
    w = w.astype(np.float32).astype(np.float64)  # the C++ table holds floats
    lens = np.diff(d.tok_indptr).astype(np.float64)
    vals = w[d.tok_idx]
    cs = np.concatenate([[0.0], np.cumsum(vals)])
    tot = cs[d.tok_indptr[1:]] - cs[d.tok_indptr[:-1]]
    out = np.zeros((len(lens), 5))
    out[:, 0] = tot / np.maximum(lens, 1)
    out[:, 1] = np.clip(tot, -30, 30)
    for j, r in enumerate((1, 3, 10)):
        for pg in range(d.npages):
            s, e = d.start[pg], d.start[pg + 1]
            if e == s:
                continue
            n = e - s
            idx = np.arange(n)
            c_t = np.concatenate([[0.0], np.cumsum(tot[s:e])])
            c_l = np.concatenate([[0.0], np.cumsum(lens[s:e])])
            lo = np.clip(idx - r, 0, n)
            hi = np.clip(idx + r + 1, 0, n)
            out[s:e, 2 + j] = (c_t[hi] - c_t[lo]) / np.maximum(c_l[hi] - c_l[lo], 1)
    return out


# --- Stage 2 features -------------------------------------------------------

def _kadane(v):
    best, cur, cs, s, e = 0.0, 0.0, 0, -1, -1
    for i, x in enumerate(v):
        if cur <= 0:
            cur, cs = x, i
        else:
            cur += x
        if cur > best:
            best, s, e = cur, cs, i
    return s, e


def stage2_features(d, p):
    """26 features of the stage-1 probabilities p around each row (line_model.cc)."""
    out = np.zeros((len(p), 26))
    for pg in range(d.npages):
        s, e = d.start[pg], d.start[pg + 1]
        if e == s:
            continue
        n = e - s
        q = p[s:e]
        w = d.words[s:e]
        idx = np.arange(n)
        cp = np.concatenate([[0.0], np.cumsum(q)])
        cw = np.concatenate([[0.0], np.cumsum(w)])
        cpw = np.concatenate([[0.0], np.cumsum(q * w)])
        f = out[s:e]
        f[:, 0] = q
        k = 1
        for r in (1, 2, 5, 10, 25):
            lo = np.clip(idx - r, 0, n)
            hi = np.clip(idx + r + 1, 0, n)
            f[:, k] = (cp[hi] - cp[lo]) / (hi - lo)
            f[:, k + 1] = (cpw[hi] - cpw[lo]) / np.maximum(cw[hi] - cw[lo], 1)
            k += 2
        for off in (-2, -1, 1, 2):
            j = idx + off
            ok = (j >= 0) & (j < n)
            f[:, k] = np.where(ok, q[np.clip(j, 0, n - 1)], -1.0)
            k += 1
        for a, b in ((-5, -1), (1, 5)):
            lo = np.clip(idx + a, 0, n)
            hi = np.clip(idx + b + 1, 0, n)
            m = hi - lo
            f[:, k] = np.where(m > 0, (cp[hi] - cp[lo]) / np.maximum(m, 1), -1.0)
            k += 1
        sw = w.sum()
        f[:, k] = q.sum() / n
        f[:, k + 1] = (q * w).sum() / max(sw, 1)
        f[:, k + 2] = w[q >= 0.5].sum() / max(sw, 1)
        f[:, k + 3] = q.max()
        f[:, k + 4] = q / max(q.max(), 1e-6)
        k += 5
        hit = q >= 0.5
        prev = np.zeros(n)
        nxt = np.zeros(n)
        last = -10 ** 9
        for i in range(n):
            prev[i] = min(i - last, 200)
            if hit[i]:
                last = i
        last = 10 ** 9
        for i in range(n - 1, -1, -1):
            nxt[i] = min(last - i, 200)
            if hit[i]:
                last = i
        f[:, k] = prev
        f[:, k + 1] = nxt
        k += 2
        bs, be = _kadane((q - 0.5) * np.maximum(w, 1))
        if bs >= 0:
            dist = np.where(idx < bs, idx - bs, np.where(idx > be, idx - be, 0))
            f[:, k] = np.clip(dist, -200, 200)
            f[:, k + 1] = (cw[be + 1] - cw[bs]) / max(cw[-1], 1)
        else:
            f[:, k] = 200.0
            f[:, k + 1] = 0.0
    return out


# --- Training ---------------------------------------------------------------

def fit(X, y, w, params):
    m = HistGradientBoostingClassifier(**params)
    m.fit(X, y, sample_weight=w)
    return m


def proba(m, X):
    return m.predict_proba(X)[:, 1]


def train(d, y, train_mask, stage2=False):
    """The model trained on the rows of train_mask: (token table, stage 1, stage 2)."""
    folds = sorted(set(d.fold[train_mask].tolist()))
    t0 = time.time()
    # Token features of training rows: out of fold (a table without their fold).
    T = np.zeros((len(y), 5))
    for j in folds:
        table_j = fit_tokens(d, y, train_mask & (d.fold != j))
        Tj = token_features(d, table_j)
        rows = train_mask & (d.fold == j)
        T[rows] = Tj[rows]
    table = fit_tokens(d, y, train_mask)
    X1 = np.hstack([d.F.astype(np.float64), T])
    tr = train_mask & (y >= 0)
    m1 = fit(X1[tr], y[tr], page_weights(d, tr), STAGE1)
    if not stage2:
        log("trained on %d lines in %.0f s" % (tr.sum(), time.time() - t0))
        return table, m1, None
    # Stage-1 probabilities of training rows: out of fold.
    p1 = np.zeros(len(y))
    for j in folds:
        trj = tr & (d.fold != j)
        mj = fit(X1[trj], y[trj], page_weights(d, trj), STAGE1)
        rows = train_mask & (d.fold == j)
        p1[rows] = proba(mj, X1[rows])
    X2 = np.hstack([d.F.astype(np.float64), stage2_features(d, p1)])
    m2 = fit(X2[tr], y[tr], page_weights(d, tr), STAGE2)
    log("trained on %d lines in %.0f s" % (tr.sum(), time.time() - t0))
    return table, m1, m2


def export_trees(m):
    trees = []
    for it in m._predictors:
        nodes = []
        for nd in it[0].nodes:
            if nd["is_leaf"]:
                nodes.append([-1, 0.0, -1, -1, float(nd["value"]), 0, 1])
            else:
                thr = float(nd["num_threshold"])
                nodes.append([int(nd["feature_idx"]), "inf" if math.isinf(thr) else thr,
                              int(nd["left"]), int(nd["right"]), 0.0,
                              int(nd["missing_go_to_left"]), 0])
        trees.append({"nodes": nodes})
    return {"format": "chaff-hgb-v1", "n_features": int(m.n_features_in_),
            "baseline": float(np.asarray(m._baseline_prediction).ravel()[0]), "trees": trees}


def model_json(d, table, m1, m2):
    return json.dumps({
        "format": "chaff-line-model-v1",
        "features": d.names,
        "token_bits": TOKEN_BITS,
        "token_scale": TOKEN_SCALE,
        "token_table": base64.b64encode(table.astype(np.int8).tobytes()).decode("ascii"),
        "stage1": export_trees(m1),
        "stage2": export_trees(m2) if m2 is not None else None,
    }, separators=(",", ":"))


def write_generated(text):
    """src/detect/line_model_data.cc: the model file as a string, in pieces
    (compilers limit one string literal's length)."""
    chunks = [text[i:i + 4000] for i in range(0, len(text), 4000)]
    body = "\n".join('    R"chaff(%s)chaff"' % c for c in chunks)
    with open(GENERATED, "w", encoding="utf-8") as f:
        f.write("// Generated by tools/train/train_line_model.py from ../shared/data/wcxb-dev;\n"
                "// do not edit. Regenerate with:\n"
                "//   /usr/bin/python3 tools/train/train_line_model.py --final\n"
                "// The built-in line model (include/chaff/detect/line_model.h), as the JSON\n"
                "// model file the script writes (chaff-line-model-v1).\n"
                '#include "detect/line_model_data.h"\n\n'
                "namespace chaff {\nnamespace internal {\n\n"
                "std::string_view DefaultLineModelJson() {\n"
                "  static const char kModel[] =\n%s;\n"
                "  return std::string_view(kModel, sizeof(kModel) - 1);\n"
                "}\n\n}  // namespace internal\n}  // namespace chaff\n" % body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chaff-build", default=os.path.join(wcxb.ROOT, "build"))
    ap.add_argument("--cv", help="write fold models to this directory")
    ap.add_argument("--final", action="store_true", help="regenerate the built-in model")
    ap.add_argument("--stage2", action="store_true", help="also train a stacked second stage")
    a = ap.parse_args()
    if not a.cv:
        a.final = True
    pages = wcxb.load_wcxb()
    t0 = time.time()
    d = Pages(a.chaff_build, pages)
    log("%d pages, %d lines, %d features (%.0f s)" % (d.npages, len(d.F), len(d.names),
                                                      time.time() - t0))
    y = labels(d)
    log("labels: %d content, %d boilerplate, %d without words (%.0f s)" % (
        (y == 1).sum(), (y == 0).sum(), (y < 0).sum(), time.time() - t0))
    if a.cv:
        os.makedirs(a.cv, exist_ok=True)
        for k in range(wcxb.FOLDS):
            table, m1, m2 = train(d, y, d.fold != k, a.stage2)
            with open(os.path.join(a.cv, "fold%d.json" % k), "w") as f:
                f.write(model_json(d, table, m1, m2))
            log("fold %d written" % k)
    if a.final:
        table, m1, m2 = train(d, y, np.ones(len(y), bool), a.stage2)
        write_generated(model_json(d, table, m1, m2))
        log("wrote %s" % GENERATED)


if __name__ == "__main__":
    main()
