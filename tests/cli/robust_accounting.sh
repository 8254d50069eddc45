# The run report accounts for every input byte, end to end through the CLI:
# report bytes = kept + removed (per reason), bytes = the input's text bytes,
# and kept = the bytes of cleaned text actually written. Over the seeds (a
# directory of text files) and the benchmark corpus
# (../shared/data/bbc/articles.jsonl, skipped with a note when absent), with
# and without --dedupe (dropped documents count as near_duplicate).
. "$(dirname "$0")/lib/common.bash"

PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

# check_report REPORT INPUT_BYTES KEPT_BYTES LABEL
check_report() {
  "$PY" - "$@" <<'PYEOF' || fail "$4: accounting identity does not hold"
import json, sys
rep, want_in, want_kept, label = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
r = json.load(open(rep))
ok = True
def check(cond, msg):
    global ok
    if not cond:
        print(f"{label}: {msg}")
        ok = False
for f in r["files"] + [{"path": "total", "accounting": r["total"]}]:
    a = f["accounting"]
    removed = sum(v["bytes"] for v in a["removed"].values())
    check(a["removed_bytes"] == removed, f'{f["path"]}: removed_bytes {a["removed_bytes"]} != sum of reasons {removed}')
    check(a["bytes"] == a["kept_bytes"] + a["removed_bytes"], f'{f["path"]}: bytes != kept + removed')
t = r["total"]
check(t["bytes"] == want_in, f'report has {t["bytes"]} bytes in, the input has {want_in}')
check(t["kept_bytes"] == want_kept, f'report kept {t["kept_bytes"]}, the output holds {want_kept}')
print(f'{label}: {t["bytes"]} bytes in, kept {t["kept_bytes"]}, removed ' +
      ", ".join(f'{k} {v["bytes"]} B/{v["lines"]} lines' for k, v in t["removed"].items()))
sys.exit(0 if ok else 1)
PYEOF
}

# Seeds: text files, mirrored under -o.
in_bytes=$(cat "$SRC"/seeds/*.txt | wc -c)
mkdir -p "$WORK/seeds"
cp "$SRC"/seeds/*.txt "$WORK/seeds/"
expect_exit 0 "$CHAFF" clean "$WORK/seeds" -o "$WORK/seeds-out" --report "$WORK/r1.json" -q
check_report "$WORK/r1.json" "$in_bytes" "$(cat "$WORK"/seeds-out/*.txt | wc -c)" seeds
expect_exit 0 "$CHAFF" clean "$WORK/seeds" -o "$WORK/seeds-dd" --report "$WORK/r2.json" -q --dedupe
check_report "$WORK/r2.json" "$in_bytes" "$(cat "$WORK"/seeds-dd/*.txt 2>/dev/null | wc -c)" "seeds --dedupe"

# text_bytes JSONL: the UTF-8 bytes of every record's text field.
text_bytes() {
  "$PY" -c 'import json,sys; print(sum(len(json.loads(l)["text"].encode()) for l in open(sys.argv[1], encoding="utf-8") if l.strip()))' "$1"
}

BBC="$SRC/../shared/data/bbc/articles.jsonl"
if [ -f "$BBC" ]; then
  in_bytes=$(text_bytes "$BBC")
  expect_exit 0 "$CHAFF" clean "$BBC" -o "$WORK/bbc.jsonl" --report "$WORK/r3.json" -q
  check_report "$WORK/r3.json" "$in_bytes" "$(text_bytes "$WORK/bbc.jsonl")" bbc
  expect_exit 0 "$CHAFF" clean "$BBC" -o "$WORK/bbc-dd.jsonl" --report "$WORK/r4.json" -q --dedupe
  check_report "$WORK/r4.json" "$in_bytes" "$(text_bytes "$WORK/bbc-dd.jsonl")" "bbc --dedupe"
else
  echo "note: $BBC not present; the corpus check is skipped"
fi
finish
