"""`python3 export.py --checkpoint DIR --base BASE --out OUT.gguf [--tokenizer tok.bin]`: a checkpoint as a llama GGUF.

Why: the platform registers the fine-tuned model in the LLM catalog and serves it with llama.cpp, so the
weights go back into a plain llama GGUF (F32; LoRA merged into the weights), with the base GGUF's metadata
(tokenizer included) copied, or, for a llama2.c base, the metadata and vocab written from its tok*.bin (pieces
with "▁" for spaces, ids 0/1/2 = <unk>/<s>/</s>, <0xNN> byte tokens, scores; add_bos true). Written to a temp
name and renamed. Prints {"type":"export","path":…,"bytes":…,"sha256":…}.
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree (the build copies this folder)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
import inspect as _stdlib_inspect  # noqa: E402,F401  (loaded first so our inspect.py never shadows it)
sys.path.insert(0, _HERE)

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
from collections import OrderedDict  # noqa: E402

import gguf  # noqa: E402
from checkpoint import load_weights, read_state  # noqa: E402
from errors import FinetuneError, run_main  # noqa: E402
from lora import apply_lora, merge_lora  # noqa: E402
from model import load_base  # noqa: E402
from tokenizer import SPACE_MARK, gguf_token_types, read_llama2c_tokenizer  # noqa: E402


def llama2c_metadata(cfg, tok_path, name):
    """GGUF metadata for a llama2.c model: the llama keys llama.cpp needs and the vocab of tok*.bin."""
    pieces, scores = read_llama2c_tokenizer(tok_path, cfg.vocab_size)
    pieces = [p.replace(" ", SPACE_MARK) for p in pieces]
    pieces[:3] = ["<unk>", "<s>", "</s>"]
    u32 = lambda v: (gguf.UINT32, int(v))
    return OrderedDict([
        ("general.architecture", (gguf.STRING, "llama")), ("general.name", (gguf.STRING, name)),
        ("general.file_type", u32(0)), ("general.alignment", u32(32)),
        ("llama.context_length", u32(cfg.max_seq_len)), ("llama.embedding_length", u32(cfg.dim)),
        ("llama.block_count", u32(cfg.n_layers)), ("llama.feed_forward_length", u32(cfg.hidden_dim)),
        ("llama.rope.dimension_count", u32(cfg.dim // cfg.n_heads)), ("llama.attention.head_count", u32(cfg.n_heads)),
        ("llama.attention.head_count_kv", u32(cfg.n_kv_heads)),
        ("llama.attention.layer_norm_rms_epsilon", (gguf.FLOAT32, cfg.norm_eps)), ("llama.rope.freq_base", (gguf.FLOAT32, cfg.rope_theta)),
        ("tokenizer.ggml.model", (gguf.STRING, "llama")), ("tokenizer.ggml.tokens", (gguf.ARRAY, (gguf.STRING, pieces))),
        ("tokenizer.ggml.scores", (gguf.ARRAY, (gguf.FLOAT32, scores))),
        ("tokenizer.ggml.token_type", (gguf.ARRAY, (gguf.INT32, gguf_token_types(pieces)))),
        ("tokenizer.ggml.bos_token_id", u32(1)), ("tokenizer.ggml.eos_token_id", u32(2)), ("tokenizer.ggml.unknown_token_id", u32(0)),
        ("tokenizer.ggml.add_bos_token", (gguf.BOOL, True)), ("tokenizer.ggml.add_eos_token", (gguf.BOOL, False)),
    ])


def base_format(path):
    with open(path, "rb") as f:
        return "gguf" if f.read(4) == gguf.MAGIC else "llama2c"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tokenizer", help="tok*.bin for a llama2.c base (default: the run's base.tokenizer)")
    a = ap.parse_args()
    state = read_state(a.checkpoint)
    run = state["config"]
    if not os.path.isfile(a.base):
        raise FinetuneError("FINETUNE_BAD_CONFIG", "base model %s does not exist" % a.base, field="base", fix="Give the base model the run was trained from.")
    fmt = base_format(a.base)
    model, g = load_base(a.base, fmt)
    if model.cfg.to_dict() != state["model_config"]:
        raise FinetuneError("FINETUNE_BAD_CHECKPOINT", "checkpoint %s was trained on a %r model, the base is %r"
                            % (a.checkpoint, state["model_config"], model.cfg.to_dict()), field="base",
                            fix="Export with the base model the run was trained from.")
    if run["method"] == "lora":
        lo = run["lora"]
        apply_lora(model, lo["rank"], lo["alpha"], 0.0, lo["targets"])
    load_weights(a.checkpoint, model, run["method"])
    merge_lora(model)
    tensors = model.gguf_tensors()
    if g is not None:
        kv = OrderedDict(g.kv)
        kv["general.file_type"] = (gguf.UINT32, 0)
        ours = {n for n, _ in tensors}
        tensors += [(t.name, g.tensor(t.name)) for t in g.tensors if t.name not in ours]  # e.g. rope_freqs
    else:
        tok = a.tokenizer or run["base"].get("tokenizer")
        if not tok or not os.path.isfile(tok):
            raise FinetuneError("FINETUNE_BAD_TOKENIZER", "a llama2.c base needs its tok*.bin to write the GGUF vocab",
                                field="tokenizer", fix="Pass --tokenizer /path/to/tok*.bin.")
        kv = llama2c_metadata(model.cfg, tok, os.path.basename(a.base).rsplit(".", 1)[0])
    kv["general.name"] = (gguf.STRING, "%s (fine-tuned, step %d)" % (kv.get("general.name", (0, "llama"))[1], state["step"]))
    tmp = a.out + ".tmp-%d" % os.getpid()
    gguf.write_gguf(tmp, kv, tensors)
    os.replace(tmp, a.out)
    h = hashlib.sha256()
    with open(a.out, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    sys.stdout.write(json.dumps({"type": "export", "path": os.path.abspath(a.out), "bytes": os.path.getsize(a.out),
                                 "sha256": h.hexdigest(), "step": state["step"], "method": run["method"]}) + "\n")


if __name__ == "__main__":
    run_main(main)
