"""Writes small TinyStories-like sample data for the tests and demos: `python3 stories.py OUT N [FORMAT] [SEED]`.

Why generated: no TinyStories text is bundled, and the tests need a few hundred seeded, varied, simple
stories whose held-out part a short fine-tune visibly learns (lower eval loss than the base model). FORMAT is
text (.txt, one story per paragraph), instruction or prompt_completion (JSON Lines).
"""
import json
import random
import sys

NAMES = ["Tom", "Mia", "Ben", "Sue", "Max", "Lily", "Sam", "Anna", "Tim", "Zoe"]
PETS = ["dog", "cat", "bird", "fish", "bunny", "frog"]
THINGS = ["red ball", "blue kite", "big box", "small boat", "green hat", "yellow car", "shiny rock"]
PLACES = ["park", "garden", "beach", "forest", "yard", "lake"]
FEELS = ["happy", "sad", "scared", "excited", "tired", "proud"]


def story(r):
    n, p, t, pl, f = r.choice(NAMES), r.choice(PETS), r.choice(THINGS), r.choice(PLACES), r.choice(FEELS)
    friend = r.choice([x for x in NAMES if x != n])
    return (f"{n} had a little {p}. One day, {n} and the {p} went to the {pl}. They found a {t}. "
            f"{n} was {f}. {friend} came to play too. {friend} said, \"Can I play with the {t}?\" "
            f"{n} said, \"Yes, let us share.\" They played with the {t} all day. The {p} was {r.choice(FEELS)} too. "
            f"At night, {n} went home and said, \"I love the {pl}.\"")


def rows(n, fmt, seed=7):
    r = random.Random(seed)
    for _ in range(n):
        s = story(r)
        if fmt == "text":
            yield s
        else:
            first, rest = s.split(". ", 1)
            if fmt == "instruction":
                yield json.dumps({"instruction": "Tell a story that begins: " + first + ".", "response": rest})
            else:
                yield json.dumps({"prompt": first + ". ", "completion": rest})


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    fmt = sys.argv[3] if len(sys.argv) > 3 else "text"
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 7
    with open(out, "w", encoding="utf-8") as f:
        f.write(("\n\n" if fmt == "text" else "\n").join(rows(n, fmt, seed)) + "\n")


if __name__ == "__main__":
    main()
