"""Fine-tuning data: read rows, name the bad ones, tokenize, split, pack into fixed-length sequences.

Why: the platform shows bad rows before anything runs (row, field, problem, fix), and the trainer needs a
deterministic set of (seqLen + 1)-token sequences with a loss mask so that every worker count sees the same
global batches. Formats (finetune.md): "instruction" JSON Lines {"instruction", "input"?, "response"},
"prompt_completion" {"prompt", "completion"} — loss on the response/completion tokens only — and "text":
a .txt file (documents separated by blank lines) or JSON Lines {"text"}, loss on every token. Each example is
BOS + tokens + EOS. The held-out eval split is a seeded random choice of rows, made before packing.
"""
import json
import random

import numpy as np

FIELDS = {"instruction": ("instruction", "response"), "prompt_completion": ("prompt", "completion"), "text": ("text",)}


def _problem(row, field, problem, fix):
    p = {"row": row, "field": field, "problem": problem, "fix": fix}
    return {k: v for k, v in p.items() if v is not None}


def read_rows(path, fmt):
    """(rows, problems): rows are (row number, dict) with 1-based line numbers (paragraph numbers for .txt)."""
    with open(path, "r", encoding="utf-8", errors="replace") as f:
        raw = f.read()
    if fmt == "text" and not path.endswith((".jsonl", ".json")):
        docs = [d.strip() for d in raw.replace("\r\n", "\n").split("\n\n")]
        return [(i + 1, {"text": d}) for i, d in enumerate(docs) if d], []
    rows, problems = [], []
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            problems.append(_problem(n, None, "invalid JSON: %s" % e, "Make each line one JSON object, e.g. %s."
                                     % json.dumps({k: "…" for k in FIELDS[fmt]})))
            continue
        if not isinstance(obj, dict):
            problems.append(_problem(n, None, "the line is not a JSON object", "Write one object per line with %s."
                                     % ", ".join(FIELDS[fmt])))
            continue
        bad = False
        for field in FIELDS[fmt]:
            v = obj.get(field)
            if not isinstance(v, str) or not v.strip():
                what = "missing" if v is None else "empty" if isinstance(v, str) else "not a string"
                problems.append(_problem(n, field, "%s is %s" % (field, what), "Give %s a non-empty string, or remove the row." % field))
                bad = True
        if not bad:
            rows.append((n, obj))
    return rows, problems


def encode_row(tok, fmt, obj):
    """(ids, mask): mask[i] = 1 where token i is a training target."""
    if fmt == "text":
        ids = tok.encode(obj["text"], bos=True, eos=True)
        return ids, [0] + [1] * (len(ids) - 1)
    if fmt == "instruction":
        prompt = obj["instruction"] + ("\n" + obj["input"] if isinstance(obj.get("input"), str) and obj["input"] else "") + "\n"
        full = prompt + obj["response"]
    else:
        prompt, full = obj["prompt"], obj["prompt"] + obj["completion"]
    ids, p = tok.encode(full, bos=True, eos=True), tok.encode(prompt, bos=True)
    k = 0
    while k < len(p) and k < len(ids) - 1 and p[k] == ids[k]:
        k += 1
    return ids, [0] * k + [1] * (len(ids) - k)


def split_rows(rows, eval_fraction, seed):
    """Seeded held-out split of rows: (train, eval). At least one row each when evalFraction > 0 and rows ≥ 2."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    n_eval = int(round(eval_fraction * len(rows)))
    if eval_fraction > 0 and len(rows) >= 2:
        n_eval = min(max(n_eval, 1), len(rows) - 1)
    held = set(order[:n_eval])
    return [r for i, r in enumerate(rows) if i not in held], [r for i, r in enumerate(rows) if i in held]


def build_sequences(examples, seq_len, packing):
    """examples: list of (row, ids, mask). Returns (tokens int64 [N, seqLen+1], mask uint8 [N, seqLen+1], problems).
    Packing concatenates examples and cuts (seqLen + 1)-token windows (the tail padded, masked out); without
    packing each example is one padded sequence, and an example longer than the window is a problem."""
    width = seq_len + 1
    if packing:
        ids = [t for _, i, _ in examples for t in i]
        mask = [m for _, _, mk in examples for m in mk]
        n = (len(ids) + width - 1) // width
        toks, masks = np.zeros((n, width), np.int64), np.zeros((n, width), np.uint8)
        if n:
            toks.reshape(-1)[:len(ids)], masks.reshape(-1)[:len(mask)] = ids, mask
        return toks, masks, []
    problems, kept = [], []
    for row, i, mk in examples:
        if len(i) > width:
            problems.append(_problem(row, None, "the row is %d tokens, over the %d-token context (seqLen + 1)" % (len(i), width),
                                     "Shorten the row, raise hp.seqLen (up to the model's context), or set data.packing to true."))
        else:
            kept.append((i, mk))
    toks, masks = np.zeros((len(kept), width), np.int64), np.zeros((len(kept), width), np.uint8)
    for k, (i, mk) in enumerate(kept):
        toks[k, :len(i)], masks[k, :len(mk)] = i, mk
    return toks, masks, problems


class Dataset:
    """Everything the trainer and inspect need about the data, computed the same way on every rank."""

    def __init__(self, cfg, tok):
        d = cfg["data"]
        rows, self.problems = read_rows(d["train"], d["format"])
        self.rows = len(rows) + len({p["row"] for p in self.problems})  # rows with a JSON/field problem counted once
        train, held = split_rows(rows, d["evalFraction"], cfg["hp"]["seed"])
        self.train_rows, self.eval_rows = len(train), len(held)
        enc = lambda rs: [(n,) + encode_row(tok, d["format"], o) for n, o in rs]
        tr, ev = enc(train), enc(held)
        self.tokens_train = sum(len(i) for _, i, _ in tr)
        self.tokens_eval = sum(len(i) for _, i, _ in ev)
        seq = cfg["hp"]["seqLen"]
        self.train_tokens, self.train_mask, p1 = build_sequences(tr, seq, d["packing"])
        self.eval_tokens, self.eval_mask, p2 = build_sequences(ev, seq, d["packing"])
        self.problems = sorted(self.problems + p1 + p2, key=lambda p: p["row"])  # in file order
