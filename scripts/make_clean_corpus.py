#!/usr/bin/env python3
"""Builds the `chaff clean` benchmark corpus: the wcxb-dev pages
(../shared/data/wcxb-dev/inputs.jsonl) repeated until the output holds about
--mb megabytes, each copy with fresh ids and its urls on hosts of its own
("c3-www.example.com"), so that copies do not become each other's template
lines: every copy has the template structure of the original data, no more.

    python3 scripts/make_clean_corpus.py [--mb 100] [--input FILE] -o OUT.jsonl

Deterministic: the same flags write the same bytes. Fields other than id and
url are kept as they are (text, page_type).
"""
import argparse
import json
import os
import sys
from urllib.parse import urlsplit, urlunsplit


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_input = os.path.join(here, "..", "..", "shared", "data", "wcxb-dev", "inputs.jsonl")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--input", default=default_input)
    ap.add_argument("--mb", type=float, default=100.0, help="size of the output, in MB (10^6 bytes)")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    if not os.path.exists(args.input):
        sys.exit(f"make_clean_corpus: no input {args.input} (the wcxb-dev data)")
    records = [json.loads(line) for line in open(args.input, encoding="utf-8") if line.strip()]
    target = int(args.mb * 1e6)
    written = 0
    docs = 0
    copy = 0
    with open(args.output, "w", encoding="utf-8") as out:
        while written < target:
            for r in records:
                r = dict(r)
                r["id"] = f"c{copy}-{r['id']}"
                u = urlsplit(r.get("url", ""))
                r["url"] = urlunsplit((u.scheme, f"c{copy}-{u.netloc}", u.path, u.query, u.fragment))
                line = json.dumps(r, ensure_ascii=False) + "\n"
                out.write(line)
                written += len(line.encode("utf-8"))
                docs += 1
                if written >= target:
                    break
            copy += 1
    print(f"make_clean_corpus: {docs} documents ({copy} copies of {len(records)}), "
          f"{written / 1e6:.1f} MB -> {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
