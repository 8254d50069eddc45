# Golden cleaned outputs of the seeds: tests/golden/cleaned/*.txt.
# Regenerate after an intended change of behaviour with:
#   UPDATE_GOLDEN=1 bash tests/cli/golden_seeds.sh build/chaff .
. "$(dirname "$0")/lib/common.bash"
golden="$SRC/tests/golden/cleaned"
expect_exit 0 "$CHAFF" clean "$SRC"/seeds/*.txt -o "$WORK/cleaned" -q
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
  mkdir -p "$golden" && cp "$WORK"/cleaned/*.txt "$golden/" && echo "updated $golden"
  exit 0
fi
for f in "$SRC"/seeds/*.txt; do
  name=$(basename "$f")
  if ! cmp -s "$golden/$name" "$WORK/cleaned/$name"; then
    fail "$name differs from tests/golden/cleaned/$name"
    diff "$golden/$name" "$WORK/cleaned/$name" | head -10
  fi
done
[ "$FAILS" -ne 0 ] && echo "If the change is intended, regenerate: UPDATE_GOLDEN=1 bash tests/cli/golden_seeds.sh build/chaff ."
finish
