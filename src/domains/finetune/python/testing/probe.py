"""Test probes for the vitest wrappers: `python3 probe.py COMMAND ARGS…`, each printing one JSON object.

Why a script: the TypeScript tests compare our Python reader/tokenizer/model with node-llama-cpp and need the
Python side's answers (and a few deliberately bad files) without duplicating trainer code in the tests.
Commands: roundtrip SRC OUT | tokenize GGUF TOKBIN JSON_STRINGS | greedy GGUF BIN TOKBIN PROMPT N |
loss GGUF TEXT SEQLEN | bad-arch SRC OUT | bad-type SRC OUT | f16 SRC OUT | targets RUN_JSON.
"""
import os
import sys

_PY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import inspect as _stdlib_inspect  # noqa: E402,F401  (before python/ joins the path: its inspect.py is not the stdlib's)
sys.path.insert(0, _PY)

import json  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import gguf  # noqa: E402
from model import load_gguf, load_llama2c  # noqa: E402
from tokenizer import from_gguf, from_llama2c  # noqa: E402


def roundtrip(src, out):
    g = gguf.read_gguf(src)
    gguf.write_gguf(out, g.kv, [(t.name, g.tensor(t.name)) for t in g.tensors])
    h = gguf.read_gguf(out)
    same_tensors = all(a.name == b.name and a.dims == b.dims and (g.tensor(a.name) == h.tensor(b.name)).all()
                       for a, b in zip(g.tensors, h.tensors))
    with open(src, "rb") as f1, open(out, "rb") as f2:
        identical = f1.read() == f2.read()
    return {"kv_equal": g.kv == h.kv, "tensors_equal": same_tensors and len(g.tensors) == len(h.tensors),
            "bytes_identical": identical, "n_kv": len(g.kv), "n_tensors": len(g.tensors)}


def tokenize(gguf_path, tok_bin, strings):
    g = gguf.read_gguf(gguf_path)
    tg, tb = from_gguf(g), from_llama2c(tok_bin, len(g.get("tokenizer.ggml.tokens")))
    enc = [tg.encode(s, bos=False) for s in strings]
    return {"gguf": enc, "llama2c": [tb.encode(s, bos=False) for s in strings],
            "decoded": [tg.decode(e) for e in enc]}


def greedy(gguf_path, bin_path, tok_bin, prompt, n):
    mg, g = load_gguf(gguf_path)
    mb = load_llama2c(bin_path)
    ids = from_gguf(g).encode(prompt, bos=True)
    x = torch.tensor([ids])
    with torch.no_grad():
        diff = float((mg(x) - mb(x)).abs().max())
        for _ in range(n):
            x = torch.cat([x, mg(x)[:, -1].argmax(-1, keepdim=True)], dim=1)
    out = x[0, len(ids):].tolist()
    return {"prompt_ids": ids, "max_abs_logit_diff": diff, "tokens": out, "text": from_gguf(g).decode(out)}


def loss(gguf_path, text_path, seq_len):
    """Mean next-token loss of a GGUF model on a .txt file (stories as BOS + text + EOS, in windows)."""
    m, g = load_gguf(gguf_path)
    tok = from_gguf(g)
    with open(text_path, encoding="utf-8") as f:
        docs = [d.strip() for d in f.read().split("\n\n") if d.strip()]
    total, count = 0.0, 0
    with torch.no_grad():
        for d in docs:
            ids = tok.encode(d, bos=True, eos=True)[:seq_len + 1]
            x = torch.tensor([ids])
            total += float(F.cross_entropy(m(x[:, :-1])[0], x[0, 1:], reduction="sum"))
            count += len(ids) - 1
    return {"loss": total / count, "tokens": count}


def bad_arch(src, out):
    g = gguf.read_gguf(src)
    kv = type(g.kv)(g.kv)
    kv["general.architecture"] = (gguf.STRING, "mamba")
    gguf.write_gguf(out, kv, [(t.name, g.tensor(t.name)) for t in g.tensors])
    return {"path": out}


def bad_type(src, out):
    """The tensors of SRC with token_embd.weight declared Q8_0 (34-byte blocks of 32 values)."""
    g = gguf.read_gguf(src)
    tensors = []
    for t in g.tensors:
        if t.name == "token_embd.weight":
            n = 1
            for d in t.dims:
                n *= d
            tensors.append((t.name, b"\0" * (n // 32 * 34), t.dims, 8))
        else:
            tensors.append((t.name, g.tensor(t.name)))
    gguf.write_gguf(out, g.kv, tensors)
    return {"path": out}


def f16(src, out):
    """SRC's 2-D weights written as F16 (file_type 1); the logits of both on a prompt."""
    g = gguf.read_gguf(src)
    kv = type(g.kv)(g.kv)
    kv["general.file_type"] = (gguf.UINT32, 1)
    gguf.write_gguf(out, kv, [(t.name, g.tensor(t.name).astype("float16") if len(t.dims) == 2 else g.tensor(t.name)) for t in g.tensors])
    h = gguf.read_gguf(out)
    (m32, _), (m16, _) = load_gguf(src), load_gguf(out)
    x = torch.tensor([from_gguf(g).encode("Once upon a time", bos=True)])
    with torch.no_grad():
        diff = float((m32(x) - m16(x)).abs().max())
    return {"path": out, "types": sorted({gguf.ggml_type_name(t.ggml_type) for t in h.tensors}), "max_abs_logit_diff": diff}


def targets(run_json):
    """The text of the training targets (mask = 1) of each training example, as the trainer builds them."""
    from config import load_config
    from data import Dataset
    from runsetup import load_tokenizer
    cfg = load_config(run_json)
    m, g = load_gguf(cfg["base"]["path"])
    tok = load_tokenizer(cfg, g, m.cfg.vocab_size)
    d = Dataset(cfg, tok)
    out = []
    for ids, mask in zip(d.train_tokens.tolist(), d.train_mask.tolist()):
        out.append({"all": tok.decode(ids), "targets": tok.decode([i for i, k in zip(ids, mask) if k]),
                     "eos_target": any(i == tok.eos_id and k for i, k in zip(ids, mask))})
    return {"sequences": out}


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "roundtrip":
        r = roundtrip(*args)
    elif cmd == "tokenize":
        r = tokenize(args[0], args[1], json.loads(args[2]))
    elif cmd == "greedy":
        r = greedy(args[0], args[1], args[2], args[3], int(args[4]))
    elif cmd == "loss":
        r = loss(args[0], args[1], int(args[2]))
    elif cmd == "bad-arch":
        r = bad_arch(*args)
    elif cmd == "bad-type":
        r = bad_type(*args)
    elif cmd == "f16":
        r = f16(*args)
    elif cmd == "targets":
        r = targets(*args)
    else:
        raise SystemExit("unknown command " + cmd)
    sys.stdout.write(json.dumps(r) + "\n")
