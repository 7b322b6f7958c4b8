"""`python3 inspect.py --config run.json`: what the platform checks before it starts a run (finetune.md).

Why: a bad base model or bad rows must be reported in seconds, before any worker starts. Prints one JSON
object {"model": {arch, dim, n_layers, n_heads, n_kv_heads, vocab, ctx, dtype}, "data": {rows, train_rows,
eval_rows, tokens, problems: [{row, field, problem, fix}]}}: data problems (invalid JSON, empty or missing
fields, rows over the context with packing off) are listed, not raised. A config or model the trainer cannot
use (unknown architecture, a quantized tensor type, an unreadable file) is a JSON error line and exit code 2.
Only headers are read: the weights are not loaded.
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree (the build copies this folder)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
import inspect as _stdlib_inspect  # noqa: E402,F401  (this file is not the stdlib's inspect; keep torch's imports right)
sys.path.insert(0, _HERE)

import argparse  # noqa: E402
import json  # noqa: E402

from config import load_config  # noqa: E402
from data import Dataset  # noqa: E402
from errors import run_main  # noqa: E402
from model import describe_base  # noqa: E402
from runsetup import load_tokenizer  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", required=True)
    cfg = load_config(ap.parse_args().config)
    mcfg, dtype, g = describe_base(cfg["base"]["path"], cfg["base"]["format"])
    tok = load_tokenizer(cfg, g, mcfg.vocab_size)
    d = Dataset(cfg, tok)
    out = {"model": {"arch": "llama", "dim": mcfg.dim, "n_layers": mcfg.n_layers, "n_heads": mcfg.n_heads,
                     "n_kv_heads": mcfg.n_kv_heads, "hidden_dim": mcfg.hidden_dim, "vocab": mcfg.vocab_size,
                     "ctx": mcfg.max_seq_len, "dtype": dtype, "tied_embeddings": mcfg.tied},
           "data": {"rows": d.rows, "train_rows": d.train_rows, "eval_rows": d.eval_rows,
                    "tokens": d.tokens_train + d.tokens_eval, "tokens_train": d.tokens_train, "tokens_eval": d.tokens_eval,
                    "train_sequences": int(d.train_tokens.shape[0]), "eval_sequences": int(d.eval_tokens.shape[0]),
                    "problems": d.problems}}
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    run_main(main)
