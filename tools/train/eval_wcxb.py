#!/usr/bin/python3
"""Word F1 of `chaff clean` on the wcxb-dev pages, per page type, beside
keeping every line and the published figures (reading the HTML).

    /usr/bin/python3 tools/train/eval_wcxb.py [--chaff build/chaff]
        [--models DIR]        cross-validated: the pages of fold k are cleaned
                              with DIR/fold<k>.json (trained without them, by
                              train_line_model.py --cv DIR), one run per fold
        [--args "..."]        more options for chaff clean
        [--languages]         also a row per page language (chaff's stoplists)
        [--scramble]          every word of pages and gold texts replaced by
                              a pseudo-word of the same shape: an unseen
                              language with the same layouts

Without --models the built-in model cleans every page: an in-sample figure
for a model trained on these pages (say so when you quote it). Folds group
pages by domain (wcxb.fold_of), so a site's template never spans two folds.
Per page: bags of lower-cased \\w+ words of the cleaned text against the gold
main content (precision, recall, F1), averaged over pages; the shares of
`with` snippets kept and `without` snippets removed.
"""
import argparse
import os
import shlex
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wcxb  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chaff", default=os.path.join(wcxb.ROOT, "build", "chaff"))
    ap.add_argument("--models", help="directory of fold models (cross-validation)")
    ap.add_argument("--args", default="", help="more options for chaff clean")
    ap.add_argument("--languages", action="store_true", help="a row per page language")
    ap.add_argument("--scramble", action="store_true", help="an unseen language")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(wcxb.DATA, "wcxb-dev", "inputs.jsonl")):
        sys.exit("eval_wcxb: no %s/wcxb-dev (the evaluation data)" % wcxb.DATA)
    pages = wcxb.load_wcxb()
    if a.scramble:
        for p in pages:
            p["text"] = wcxb.scramble(p["text"])
            p["gold"] = wcxb.scramble(p["gold"])
            p["with"] = [wcxb.scramble(x) for x in p["with"]]
            p["without"] = [wcxb.scramble(x) for x in p["without"]]
    extra = shlex.split(a.args)
    cleaned = [None] * len(pages)
    if a.models:
        for k in range(wcxb.FOLDS):
            idx = [i for i, p in enumerate(pages) if wcxb.fold_of(p) == k]
            model = os.path.join(a.models, "fold%d.json" % k)
            out = wcxb.run_chaff(a.chaff, [pages[i] for i in idx],
                                 ["--line-model", model] + extra)
            for i, t in zip(idx, out):
                cleaned[i] = t
    else:
        cleaned = wcxb.run_chaff(a.chaff, pages, extra)

    rows = {}
    for p, c in zip(pages, cleaned):
        r = rows.setdefault(p["page_type"], [])
        pr = wcxb.word_prf(c, p["gold"])
        keep_all = wcxb.word_prf(p["text"], p["gold"])
        kept, gone = wcxb.snippet_shares(c, p)
        r.append((pr, keep_all[2], kept, gone))

    def mean(xs):
        xs = [x for x in xs if x is not None]
        return sum(xs) / len(xs) if xs else float("nan")

    how = ("cross-validated, %d folds by domain (%s)" % (wcxb.FOLDS, a.models)
           if a.models else "built-in model, every page (in-sample for a model trained here)")
    print("wcxb-dev%s, %d pages, word F1 per page averaged; %s" % (
        " (scrambled: an unseen language)" if a.scramble else "", len(pages), how))
    print("%-14s %5s  %6s %6s %6s  %8s  %6s %7s  %s" % (
        "page type", "pages", "F1", "P", "R", "keep-all", "with", "without", "published (rs-traf / traf)"))
    everything = []
    for t in wcxb.TYPES + ["all"]:
        r = [x for x in (everything if t == "all" else rows.get(t, []))]
        if t != "all":
            everything.extend(r)
        if not r:
            continue
        pub = wcxb.PUBLISHED.get(t)
        print("%-14s %5d  %.3f  %.3f  %.3f  %8.3f  %.3f  %.3f   %s" % (
            t, len(r), mean([x[0][2] for x in r]), mean([x[0][0] for x in r]),
            mean([x[0][1] for x in r]), mean([x[1] for x in r]), mean([x[2] for x in r]),
            mean([x[3] for x in r]), "%.3f / %.3f" % pub if pub else ".893 / .833 (held-out split)"))
    if a.languages:
        by_lang = {}
        for p, c in zip(pages, cleaned):
            lang = wcxb.page_language(p["text"])
            by_lang.setdefault(lang, []).append(
                (wcxb.word_prf(c, p["gold"])[2], wcxb.word_prf(p["text"], p["gold"])[2]))
        for lang, r in sorted(by_lang.items(), key=lambda kv: -len(kv[1])):
            worse = sum(f < k for f, k in r)
            lost = sum(f == 0 < k for f, k in r)
            print("language %-10s %5d pages  F1 %.3f  keep-all %.3f  below keep-all on %d, "
                  "content lost (F1 0) on %d" % (lang, len(r), mean([x[0] for x in r]),
                                                 mean([x[1] for x in r]), worse, lost))


if __name__ == "__main__":
    main()
