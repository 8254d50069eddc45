# chaff clean --dedupe: near-duplicate documents (the same text under other
# chrome, with a few words changed) are dropped, judged on cleaned text; the
# accounting still covers every byte.
. "$(dirname "$0")/lib/common.bash"

python3 - "$WORK/in.jsonl" <<'PY'
import json, random, sys
rnd = random.Random(7)
words = ("the of and to in a that is was for on with as by at from it his her they "
         "council minister report market season company police court health school "
         "said announced warned agreed expected rose fell voted plans budget talks "
         "city year week people government players team prices workers").split()
def para():
    return " ".join(rnd.choice(words) for _ in range(rnd.randint(25, 45))).capitalize() + "."
docs = ["\n\n".join(para() for _ in range(6)) for _ in range(12)]
with open(sys.argv[1], "w") as out:
    for i, d in enumerate(docs):
        out.write(json.dumps({"id": "a%d" % i, "text": "Home\nWorld\n\n" + d + "\n\nShare\nFollow"}) + "\n")
    for i in range(4):  # copies of a0..a3 under other chrome, two words changed
        d = docs[i].replace(" the ", " a ", 2)
        out.write(json.dumps({"id": "b%d" % i, "text": "Menu\n\n" + d + "\n\nNewsletter"}) + "\n")
PY

expect_exit 0 "$CHAFF" clean "$WORK/in.jsonl" -o "$WORK/out.jsonl" --dedupe --report "$WORK/report.json"
[ "$(wc -l < "$WORK/out.jsonl")" = 12 ] || fail "expected the 12 originals, got $(wc -l < "$WORK/out.jsonl") records"
grep -q '"id": "b' "$WORK/out.jsonl" && fail "a near-duplicate copy was kept"
expect_in "$WORK/err" "4 near-duplicate document(s) dropped"

expect_exit 0 "$CHAFF" clean "$WORK/in.jsonl" -o - --dedupe --annotate -q --threads 1
[ "$(wc -l < "$WORK/out")" = 16 ] || fail "--annotate must keep every record"
sed -n 14p "$WORK/out" | grep -q '"duplicate_of":1,' || fail "b1 should point at document 1 (a1)"
cp "$WORK/out" "$WORK/t1"
expect_exit 0 "$CHAFF" clean "$WORK/in.jsonl" -o - --dedupe --annotate -q --threads 2
cmp -s "$WORK/out" "$WORK/t1" || fail "output differs with thread count"

python3 - "$WORK/report.json" <<'PY' || fail "accounting identity broken"
import json, sys
t = json.load(open(sys.argv[1]))["total"]
assert t["bytes"] == t["kept_bytes"] + sum(r["bytes"] for r in t["removed"].values())
assert t["removed"]["near_duplicate"]["bytes"] > 0
PY
finish
