"""Test shards for the sharded dedupe: JSONL files with near copies of earlier
documents across shards, records without an id, and empty shards. Used by the
pytest cases (conftest.py) and, as a script, by tests/cli/stages.sh:

    python3 tests/python/shards.py DIR [SHARDS [PER_SHARD]]
"""

import json
import os
import random
import sys


def write_shards(directory, shards=5, per_shard=40, seed=7, empty=(3,)):
    """Writes DIR/s00.jsonl, s01.jsonl, ...; returns the directory."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
             for _ in range(3000)]
    os.makedirs(directory, exist_ok=True)
    texts = []
    for s in range(shards):
        with open(os.path.join(directory, "s%02d.jsonl" % s), "w") as f:
            for i in range(0 if s in empty else per_shard):
                if texts and rng.random() < 0.25:  # a near copy of any earlier document
                    words = rng.choice(texts).split(" ")
                    words[rng.randrange(len(words))] = "changed"
                    text = " ".join(words)
                else:
                    text = " ".join(rng.choice(vocab) for _ in range(150))
                texts.append(text)
                rec = {"text": text, "n": i}
                if i % 9:
                    rec["id"] = "s%d-%d" % (s, i)
                f.write(json.dumps(rec) + "\n")
    return directory


if __name__ == "__main__":
    args = sys.argv[1:]
    write_shards(args[0], *(int(a) for a in args[1:3]))
