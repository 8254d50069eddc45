"""Test shards: JSONL files for the sharded stages. Used by the pytest cases
(conftest.py) and, as a script, by tests/cli/stages.sh and
tests/cli/sharded_clean.sh:

    python3 tests/python/shards.py DIR [SHARDS [PER_SHARD]]
    python3 tests/python/shards.py --sites DIR [SHARDS [PER_SHARD]]

write_shards: near copies of earlier documents across shards, records
without an id, and empty shards (the sharded dedupe).

write_site_shards (--sites): pages of a few sites whose template lines are
only found with the counts of every shard (the sharded clean, chaff count).
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


# Invented sites: (host, menu lines, footer lines, promo lines). Each promo
# line is put on 5-6 pages of its site, at most 2 of them in any one shard.
_SITES = [
    ("www.heronmill.example",
     ["Heronmill Home", "Workshop Notes", "Tool Reviews", "Search the mill"],
     ["Copyright Heronmill Press and its contributors", "Write to the miller",
      "Heronmill privacy and cookies"],
     ["Save on oak planes in the spring sale this week",
      "New members get the joinery almanac for free",
      "Our carving course opens for bookings on Friday",
      "Win a walnut mallet in the reader draw",
      "Listen to the mill podcast about hand saws",
      "Back issues of the almanac are half price now",
      "Meet the turners at the autumn open day"]),
    ("news.quillbarrow.example",
     ["Quillbarrow Daily", "Valley", "Markets", "Weather desk"],
     ["Quillbarrow Daily is printed in the valley",
      "Send your letters to the editor at the barrow office",
      "Terms of use for Quillbarrow readers"],
     ["Subscribe to the morning barrow digest today",
      "The harvest fair supplement is out on Saturday",
      "Vote for the valley volunteer of the year",
      "Our crossword book makes a fine winter gift",
      "Tell us your flood story for the spring edition",
      "Advertise your stall in the market pages",
      "The barrow choir concert tickets are on sale"]),
    ("www.tallowfen.example",
     ["Tallowfen Recipes", "Soups", "Bread", "Preserves", "Ask the cook"],
     ["Tallowfen kitchen tested every recipe here",
      "Share your bakes with the fen community"],
     ["Try the fen cheese box with free delivery",
      "Download the pickling chart for your pantry",
      "Join the sourdough challenge this month",
      "The fen cookbook second edition is in the shops",
      "Book a seat at the smokehouse supper club",
      "Our jam labels are free for subscribers",
      "Watch the kneading video before you start"]),
]
# Two pages per shard: under min_documents (5) in any one shard, above it
# over all of them.
_SPARSE_SITE = ("www.smallbeck.example",
                ["Smallbeck Parish Notes", "Church rota", "Bins and recycling"],
                ["Smallbeck parish council meets on the first Tuesday",
                 "Notes compiled by the parish clerk"], [])

_WORDS = (
    "the a of and to in that was for on with as by at from it his her they we our their this "
    "river garden council market village bridge harbour winter summer morning evening road "
    "school kitchen orchard meadow station library festival workshop lantern cellar barn "
    "farmer teacher baker captain doctor painter neighbour visitor walker driver keeper "
    "said found built carried opened closed painted planted watched heard mended crossed "
    "slowly quietly early late again often never always almost nearly together alone "
    "old new small large quiet busy narrow wide bright dark warm cold green grey yellow "
    "stone timber copper glass wool linen bread cheese apples honey barley salt rain snow "
    "wind fog hill valley field forest lane square tower mill pond wall gate door window "
    "after before during since until because while though when where every each many few"
).split()


def _sentence(rng):
    words = [rng.choice(_WORDS) for _ in range(rng.randint(10, 18))]
    return " ".join(words).capitalize() + "."


def write_site_shards(directory, shards=4, per_shard=30, seed=11):
    """Writes DIR/t00.jsonl, t01.jsonl, ... of records {"id", "url", "text"}:
    pages of three sites (a menu, a body of sentences of its own, some promo
    lines, a footer) and two pages per shard of a fourth. A promo line is on
    5-6 pages of its site but on at most 2 in any shard: a template line
    (min_count 3, min_share 0.1) only with the counts of every shard, as is
    the chrome of the fourth site. A few bodies are near copies (one word
    changed) of earlier ones, for the dedupe. Returns the directory."""
    rng = random.Random(seed)
    os.makedirs(directory, exist_ok=True)
    # Which site each record is from, shard by shard.
    layout = []
    for s in range(shards):
        sites = [3] * min(2, per_shard) + [(s + i) % 3 for i in range(per_shard - min(2, per_shard))]
        rng.shuffle(sites)
        layout.append(sites)
    # Promo lines: 5 or 6 pages of their site, at most 2 per shard.
    promos = {}  # (shard, index) -> promo lines
    for site, (_, _, _, lines) in enumerate(_SITES):
        pages = {s: [i for i, x in enumerate(layout[s]) if x == site] for s in range(shards)}
        for line in lines:
            slots = [s for s in range(shards) for _ in range(min(2, len(pages[s])))]
            rng.shuffle(slots)
            chosen = slots[:rng.choice((5, 6))]
            for s in set(chosen):
                for i in rng.sample(pages[s], chosen.count(s)):
                    promos.setdefault((s, i), []).append(line)
    bodies = {site: [] for site in range(len(_SITES) + 1)}
    number = 0
    for s in range(shards):
        with open(os.path.join(directory, "t%02d.jsonl" % s), "w") as f:
            for i, site in enumerate(layout[s]):
                host, menu, footer, lines = (_SITES + [_SPARSE_SITE])[site]
                earlier = bodies[site]
                if s > 0 and site < 3 and earlier and rng.random() < 0.12:
                    body = list(rng.choice(earlier))  # a near copy: one word changed
                    k = rng.randrange(len(body))
                    words = body[k].split(" ")
                    words[rng.randrange(len(words) - 1)] = "changed"
                    body[k] = " ".join(words)
                else:
                    body = [_sentence(rng) for _ in range(rng.randint(6, 9))]
                    earlier.append(body)  # copies are not copied again
                page = sorted(promos.get((s, i), []), key=lines.index)
                text = "\n".join(menu) + "\n\n" + "\n".join(body) + "\n\n"
                if page:
                    text += "\n".join(page) + "\n"
                text += "\n".join(footer) + "\n"
                rec = {"id": "t%d-%d" % (s, i), "url": "https://%s/page/%d" % (host, number),
                       "text": text}
                number += 1
                f.write(json.dumps(rec) + "\n")
    return directory


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--sites":
        write_site_shards(args[1], *(int(a) for a in args[2:4]))
    else:
        write_shards(args[0], *(int(a) for a in args[1:3]))
