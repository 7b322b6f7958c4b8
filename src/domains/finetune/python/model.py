"""The llama architecture in torch, loaded from a llama GGUF or a llama2.c checkpoint (legacy version 0).

Why: fine-tuning needs a differentiable model whose numbers are the ones llama.cpp computes for the same
file, so the fine-tuned weights mean the same thing when exported back to GGUF. The blocks: RMSNorm, rotary
position embeddings, grouped-query attention (query head h uses key/value head h // (n_heads / n_kv_heads),
as llama.cpp and llama2.c do), SwiGLU feed-forward (w2(silu(w1 x) * w3 x)).

RoPE layout: llama.cpp's LLAMA rope rotates adjacent pairs (x[2i], x[2i+1]) of each head by angle
pos * theta^(-2i/head_size). Hugging Face checkpoints use the "rotate half" layout instead, which is why
llama.cpp's HF converter permutes the rows of Q and K when writing a llama GGUF. A llama2.c checkpoint is
already in the interleaved (Meta) layout, so its Q/K rows are used as stored, exactly like a llama GGUF's:
both load into this module unchanged (the logits parity test proves the two formats agree).
"""
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from errors import FinetuneError
from gguf import GGML_F16, GGML_F32, ggml_type_name, read_gguf

# module parameter name → GGUF tensor name ({i} = layer)
LAYER_TENSORS = {
    "attention_norm.weight": "attn_norm.weight", "attention.wq.weight": "attn_q.weight",
    "attention.wk.weight": "attn_k.weight", "attention.wv.weight": "attn_v.weight",
    "attention.wo.weight": "attn_output.weight", "ffn_norm.weight": "ffn_norm.weight",
    "feed_forward.w1.weight": "ffn_gate.weight", "feed_forward.w2.weight": "ffn_down.weight",
    "feed_forward.w3.weight": "ffn_up.weight",
}


class Config:
    def __init__(self, dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, max_seq_len,
                 norm_eps=1e-5, rope_theta=10000.0, tied=True):
        self.dim, self.hidden_dim, self.n_layers = dim, hidden_dim, n_layers
        self.n_heads, self.n_kv_heads, self.vocab_size = n_heads, n_kv_heads, vocab_size
        self.max_seq_len, self.norm_eps, self.rope_theta, self.tied = max_seq_len, norm_eps, rope_theta, tied

    def to_dict(self):
        return dict(self.__dict__)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(head_size, seq_len, theta):
    freqs = 1.0 / (theta ** (torch.arange(0, head_size, 2, dtype=torch.float64) / head_size))
    angles = torch.outer(torch.arange(seq_len, dtype=torch.float64), freqs)
    return torch.cos(angles).float(), torch.sin(angles).float()


def apply_rope(x, cos, sin):
    """x: (B, T, H, hs); rotates the adjacent pairs (x[2i], x[2i+1])."""
    xr = x.reshape(*x.shape[:-1], -1, 2)
    a, b = xr[..., 0], xr[..., 1]
    c, s = cos[None, :, None, :], sin[None, :, None, :]
    return torch.stack((a * c - b * s, a * s + b * c), dim=-1).flatten(-2)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_heads, self.n_kv = cfg.n_heads, cfg.n_kv_heads
        self.hs = cfg.dim // cfg.n_heads
        self.wq = nn.Linear(cfg.dim, cfg.n_heads * self.hs, bias=False)
        self.wk = nn.Linear(cfg.dim, self.n_kv * self.hs, bias=False)
        self.wv = nn.Linear(cfg.dim, self.n_kv * self.hs, bias=False)
        self.wo = nn.Linear(cfg.n_heads * self.hs, cfg.dim, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        q = apply_rope(self.wq(x).view(b, t, self.n_heads, self.hs), cos, sin)
        k = apply_rope(self.wk(x).view(b, t, self.n_kv, self.hs), cos, sin)
        v = self.wv(x).view(b, t, self.n_kv, self.hs)
        rep = self.n_heads // self.n_kv
        if rep > 1:
            k, v = k.repeat_interleave(rep, dim=2), v.repeat_interleave(rep, dim=2)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / (self.hs ** 0.5) + mask
        y = F.softmax(att.float(), dim=-1).type_as(q) @ v
        return self.wo(y.transpose(1, 2).reshape(b, t, -1))


class FeedForward(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.w1 = nn.Linear(cfg.dim, cfg.hidden_dim, bias=False)
        self.w2 = nn.Linear(cfg.hidden_dim, cfg.dim, bias=False)
        self.w3 = nn.Linear(cfg.dim, cfg.hidden_dim, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention_norm, self.ffn_norm = RMSNorm(cfg.dim, cfg.norm_eps), RMSNorm(cfg.dim, cfg.norm_eps)
        self.attention, self.feed_forward = Attention(cfg), FeedForward(cfg)

    def forward(self, x, cos, sin, mask):
        h = x + self.attention(self.attention_norm(x), cos, sin, mask)
        return h + self.feed_forward(self.ffn_norm(h))


class Llama(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.tok_embeddings = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.layers = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.output = nn.Linear(cfg.dim, cfg.vocab_size, bias=False)
        if cfg.tied:
            self.output.weight = self.tok_embeddings.weight
        cos, sin = rope_tables(cfg.dim // cfg.n_heads, cfg.max_seq_len, cfg.rope_theta)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)

    def forward(self, tokens):
        t = tokens.shape[1]
        mask = torch.full((t, t), float("-inf")).triu(1)
        cos, sin = self.rope_cos[:t], self.rope_sin[:t]
        h = self.tok_embeddings(tokens)
        for layer in self.layers:
            h = layer(h, cos, sin, mask)
        return self.output(self.norm(h))

    def gguf_tensors(self):
        """(GGUF name, float32 numpy array) for every weight, in llama.cpp's order (LoRA must be merged first)."""
        sd = {k: v.detach().float().cpu().numpy() for k, v in self.state_dict().items()}
        out = [("token_embd.weight", sd["tok_embeddings.weight"])]
        for i in range(self.cfg.n_layers):
            out += [("blk.%d.%s" % (i, g), sd["layers.%d.%s" % (i, m)]) for m, g in LAYER_TENSORS.items()]
        return out + [("output_norm.weight", sd["norm.weight"]), ("output.weight", sd["output.weight"])]


def _arch_error(path, arch):
    return FinetuneError("FINETUNE_UNKNOWN_ARCHITECTURE",
                         "%s has architecture %r; the trainer fine-tunes llama-architecture models only" % (path, arch),
                         field="base.path", fix="Choose a llama-architecture GGUF (general.architecture = llama) or a llama2.c checkpoint.")


def config_from_gguf(g):
    arch = g.get("general.architecture")
    if arch != "llama":
        raise _arch_error(g.path, arch)
    names = {t.name for t in g.tensors}
    tokens = g.get("tokenizer.ggml.tokens") or []
    emb = next((t for t in g.tensors if t.name == "token_embd.weight"), None)
    dim = g.get("llama.embedding_length")
    return Config(dim=dim, hidden_dim=g.get("llama.feed_forward_length"), n_layers=g.get("llama.block_count"),
                  n_heads=g.get("llama.attention.head_count"),
                  n_kv_heads=g.get("llama.attention.head_count_kv", g.get("llama.attention.head_count")),
                  vocab_size=emb.dims[1] if emb else len(tokens), max_seq_len=g.get("llama.context_length", 2048),
                  norm_eps=g.get("llama.attention.layer_norm_rms_epsilon", 1e-5),
                  rope_theta=g.get("llama.rope.freq_base", 10000.0), tied="output.weight" not in names)


def check_tensor_types(g):
    """'F32', 'F16' or 'mixed'; a FinetuneError naming the first tensor of any other (quantized) type."""
    kinds = set()
    for t in g.tensors:
        if t.ggml_type not in (GGML_F32, GGML_F16):
            raise FinetuneError("FINETUNE_UNSUPPORTED_TENSOR_TYPE", "tensor %s in %s is %s; the trainer reads F32 and F16 tensors only"
                                % (t.name, g.path, ggml_type_name(t.ggml_type)), field="base.path",
                                fix="Use an F32 or F16 GGUF of the model (quantized GGUFs cannot be fine-tuned).")
        kinds.add("F32" if t.ggml_type == GGML_F32 else "F16")
    return kinds.pop() if len(kinds) == 1 else "mixed"


def describe_base(path, fmt):
    """(Config, dtype, GgufFile or None) from the file's header only — what inspect reports."""
    if fmt == "llama2c":
        return llama2c_config(path)[0], "F32", None
    g = read_gguf(path)
    cfg = config_from_gguf(g)
    return cfg, check_tensor_types(g), g


def load_gguf(path):
    g = read_gguf(path)
    cfg = config_from_gguf(g)
    check_tensor_types(g)
    model = Llama(cfg)
    state = {"tok_embeddings.weight": "token_embd.weight", "norm.weight": "output_norm.weight"}
    if not cfg.tied:
        state["output.weight"] = "output.weight"
    for i in range(cfg.n_layers):
        for m, t in LAYER_TENSORS.items():
            state["layers.%d.%s" % (i, m)] = "blk.%d.%s" % (i, t)
    names = {t.name for t in g.tensors}
    with torch.no_grad():
        params = dict(model.named_parameters())
        for m, t in state.items():
            if t not in names:
                raise FinetuneError("FINETUNE_BAD_MODEL", "%s lacks tensor %s" % (path, t), field="base.path",
                                    fix="Use a complete llama GGUF (as written by llama.cpp's converters).")
            params[m].copy_(torch.from_numpy(g.tensor(t)))
    return model, g


LLAMA2C_FIELDS = ["dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "max_seq_len"]


def llama2c_config(path):
    """(Config, layout) of a llama2.c checkpoint, legacy version 0: 7 int32 config (vocab < 0 = separate
    classifier) then float32 weights grouped by kind across layers (run.c's memory_map_weights order)."""
    with open(path, "rb") as f:
        head = f.read(28)
    if len(head) < 28:
        raise FinetuneError("FINETUNE_BAD_MODEL", "%s is too short for a llama2.c checkpoint" % path, field="base.path",
                            fix="Give a llama2.c .bin (version 0) or a GGUF.")
    if head[:4] == b"ak42":
        raise FinetuneError("FINETUNE_BAD_MODEL", "%s is a llama2.c version-1/2 export; only the legacy version 0 is read" % path,
                            field="base.path", fix="Export with llama2.c export.py --version 0, or convert to GGUF.")
    if head[:4] == b"GGUF":
        raise FinetuneError("FINETUNE_BAD_MODEL", "%s is a GGUF file but base.format is llama2c" % path,
                            field="base.format", fix='Set base.format to "gguf".')
    vals = dict(zip(LLAMA2C_FIELDS, struct.unpack("<7i", head)))
    tied = vals["vocab_size"] > 0
    vals["vocab_size"] = abs(vals["vocab_size"])
    if min(vals.values()) <= 0 or vals["dim"] % vals["n_heads"] or vals["n_heads"] % vals["n_kv_heads"]:
        raise FinetuneError("FINETUNE_BAD_MODEL", "%s has an invalid llama2.c header %r" % (path, vals), field="base.path",
                            fix="Give a llama2.c version 0 checkpoint.")
    cfg = Config(tied=tied, **vals)
    d, hd, L, V = cfg.dim, cfg.hidden_dim, cfg.n_layers, cfg.vocab_size
    kv = cfg.n_kv_heads * (d // cfg.n_heads)
    hs = d // cfg.n_heads
    parts = [("tok", (V, d)), ("att_norm", (L, d)), ("wq", (L, d, d)), ("wk", (L, kv, d)), ("wv", (L, kv, d)),
             ("wo", (L, d, d)), ("ffn_norm", (L, d)), ("w1", (L, hd, d)), ("w2", (L, d, hd)), ("w3", (L, hd, d)),
             ("norm", (d,)), ("rope", (2, cfg.max_seq_len, hs // 2))] + ([] if tied else [("cls", (V, d))])
    need = 28 + 4 * sum(int(np.prod(s)) for _, s in parts)
    size = os.path.getsize(path)
    if size != need:
        raise FinetuneError("FINETUNE_BAD_MODEL", "%s has %d bytes; its header %r implies %d" % (path, size, vals, need),
                            field="base.path", fix="The file is truncated or not a llama2.c version 0 checkpoint.")
    return cfg, parts


def load_llama2c(path):
    """The llama2.c checkpoint's weights into the module (the RoPE tables it stores are skipped)."""
    cfg, parts = llama2c_config(path)
    tied, L = cfg.tied, cfg.n_layers
    flat = np.fromfile(path, dtype="<f4", offset=28)
    w, pos = {}, 0
    for name, shape in parts:
        n = int(np.prod(shape))
        w[name], pos = flat[pos:pos + n].reshape(shape), pos + n
    model = Llama(cfg)
    per_layer = {"att_norm": "attention_norm.weight", "wq": "attention.wq.weight", "wk": "attention.wk.weight",
                 "wv": "attention.wv.weight", "wo": "attention.wo.weight", "ffn_norm": "ffn_norm.weight",
                 "w1": "feed_forward.w1.weight", "w2": "feed_forward.w2.weight", "w3": "feed_forward.w3.weight"}
    with torch.no_grad():
        p = dict(model.named_parameters())
        p["tok_embeddings.weight"].copy_(torch.from_numpy(w["tok"].copy()))
        p["norm.weight"].copy_(torch.from_numpy(w["norm"].copy()))
        if not tied:
            p["output.weight"].copy_(torch.from_numpy(w["cls"].copy()))
        for i in range(L):
            for k, m in per_layer.items():
                p["layers.%d.%s" % (i, m)].copy_(torch.from_numpy(w[k][i].copy()))
    return model


def load_base(path, fmt):
    """(model, gguf-or-None) for base.format "gguf" or "llama2c"."""
    if fmt == "llama2c":
        return load_llama2c(path), None
    return load_gguf(path)
