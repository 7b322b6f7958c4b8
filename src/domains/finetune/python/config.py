"""run.json validation (finetune.md): every bad field is a FinetuneError naming the field and the fix.

Why here as well as in the platform: the trainer is also launched by hand (torchrun, sbatch), and it must
never start on a config it would misread. Defaults fill optional fields, so the checked dict is complete.
"""
import json
import os

from errors import FinetuneError
from lora import TARGETS

DEFAULT_HP = {"lr": 1e-3, "schedule": "cosine", "warmupSteps": 0, "maxSteps": None, "epochs": None, "seqLen": 256,
              "microBatch": 8, "globalBatch": 16, "seed": 1, "evalEvery": 50, "checkpointEvery": 50, "gradClip": 1.0}


def _bad(field, problem, fix):
    return FinetuneError("FINETUNE_BAD_CONFIG", "run config field %s: %s" % (field, problem), field=field, fix=fix)


def _num(obj, key, prefix, kind, lo=None, hi=None, nullable=False):
    v = obj.get(key)
    field = prefix + key
    if v is None and nullable:
        return None
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and (kind is float or float(v).is_integer())
    if not ok or (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = "" if lo is None else " ≥ %s" % lo if hi is None else " in [%s, %s]" % (lo, hi)
        raise _bad(field, "%r is not a%s %s%s" % (v, "n" if kind is int else "", "integer" if kind is int else "number", rng),
                   "Set %s to a%s %s%s." % (field, "n" if kind is int else "", "integer" if kind is int else "number", rng))
    return int(v) if kind is int else float(v)


def _choice(obj, key, prefix, choices):
    v = obj.get(key)
    if v not in choices:
        raise _bad(prefix + key, "%r is not one of %s" % (v, ", ".join(map(str, choices))), "Use one of %s." % ", ".join(map(str, choices)))
    return v


def _file(obj, key, prefix):
    v = obj.get(key)
    if not isinstance(v, str) or not os.path.isfile(v):
        raise _bad(prefix + key, "%r is not a readable file" % (v,), "Give the absolute path of an existing file.")
    return v


def load_config(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            cfg = json.load(f)
    except (OSError, ValueError) as e:
        raise FinetuneError("FINETUNE_BAD_CONFIG", "cannot read run config %s: %s" % (path, e), field="config",
                            fix="Pass --config with a JSON run config (finetune.md).")
    return check_config(cfg)


def _section(cfg, key):
    v = cfg.get(key)
    if not isinstance(v, dict):
        raise _bad(key, "missing or not an object", "Give %s as a JSON object (finetune.md)." % key)
    return v


def check_config(cfg):
    if not isinstance(cfg, dict):
        raise _bad("config", "not a JSON object", "Write the run config as one JSON object.")
    base, data = _section(cfg, "base"), _section(cfg, "data")
    out = {"base": {"path": _file(base, "path", "base."), "format": _choice(base, "format", "base.", ("gguf", "llama2c"))}}
    out["base"]["tokenizer"] = None
    if out["base"]["format"] == "llama2c":
        out["base"]["tokenizer"] = _file(base, "tokenizer", "base.")
    out["data"] = {"train": _file(data, "train", "data."), "format": _choice(data, "format", "data.", ("instruction", "prompt_completion", "text")),
                   "evalFraction": _num({"evalFraction": data.get("evalFraction", 0.1)}, "evalFraction", "data.", float, 0, 0.9),
                   "packing": data.get("packing", True)}
    if not isinstance(out["data"]["packing"], bool):
        raise _bad("data.packing", "not true/false", "Set data.packing to true or false.")
    out["method"] = _choice(cfg, "method", "", ("full", "lora"))
    lo = cfg.get("lora") or {}
    targets = lo.get("targets", ["wq", "wk", "wv", "wo"])
    if not isinstance(targets, list) or not targets or any(t not in TARGETS for t in targets):
        raise _bad("lora.targets", "%r is not a non-empty list of %s" % (targets, " ".join(TARGETS)), "Choose targets among %s." % " ".join(TARGETS))
    out["lora"] = {"rank": _num({"rank": lo.get("rank", 8)}, "rank", "lora.", int, 1),
                   "alpha": _num({"alpha": lo.get("alpha", 16)}, "alpha", "lora.", float, 0),
                   "dropout": _num({"dropout": lo.get("dropout", 0.0)}, "dropout", "lora.", float, 0, 0.9), "targets": targets}
    hp_in = cfg.get("hp") or {}
    hp = dict(DEFAULT_HP, **{k: v for k, v in hp_in.items() if k in DEFAULT_HP})
    out["hp"] = {"lr": _num(hp, "lr", "hp.", float, 0), "schedule": _choice(hp, "schedule", "hp.", ("cosine", "linear", "constant")),
                 "warmupSteps": _num(hp, "warmupSteps", "hp.", int, 0), "maxSteps": _num(hp, "maxSteps", "hp.", int, 1, nullable=True),
                 "epochs": _num(hp, "epochs", "hp.", float, 0, nullable=True), "seqLen": _num(hp, "seqLen", "hp.", int, 2),
                 "microBatch": _num(hp, "microBatch", "hp.", int, 1), "globalBatch": _num(hp, "globalBatch", "hp.", int, 1),
                 "seed": _num(hp, "seed", "hp.", int, 0), "evalEvery": _num(hp, "evalEvery", "hp.", int, 0),
                 "checkpointEvery": _num(hp, "checkpointEvery", "hp.", int, 0), "gradClip": _num(hp, "gradClip", "hp.", float, 0, nullable=True)}
    if out["hp"]["maxSteps"] is None and not out["hp"]["epochs"]:
        raise _bad("hp.maxSteps", "neither hp.maxSteps nor hp.epochs is set", "Set hp.maxSteps (steps) or hp.epochs.")
    par = cfg.get("parallel") or {}
    out["parallel"] = {k: _num({k: par.get(k, 1)}, k, "parallel.", int, 1) for k in ("dataParallel", "tensorParallel", "pipelineParallel")}
    if not isinstance(cfg.get("outDir"), str) or not os.path.isabs(cfg["outDir"]):
        raise _bad("outDir", "missing or not an absolute path", "Give outDir as an absolute directory path.")
    out["outDir"], out["resume"] = cfg["outDir"], bool(cfg.get("resume", False))
    return out


def check_shape(cfg, mcfg, world_size):
    """Checks the parallel sizes against the model and the launch, and the batch arithmetic."""
    hp, par = cfg["hp"], cfg["parallel"]
    if hp["seqLen"] > mcfg.max_seq_len:
        raise _bad("hp.seqLen", "%d is over the model's %d-token context" % (hp["seqLen"], mcfg.max_seq_len), "Use hp.seqLen ≤ %d." % mcfg.max_seq_len)
    tp, pp = par["tensorParallel"], par["pipelineParallel"]
    if mcfg.n_heads % tp or mcfg.n_kv_heads % tp:
        raise _bad("parallel.tensorParallel", "%d does not divide the model's %d heads / %d KV heads" % (tp, mcfg.n_heads, mcfg.n_kv_heads),
                   "Use a tensor-parallel size that divides %d and %d." % (mcfg.n_heads, mcfg.n_kv_heads))
    if mcfg.n_layers % pp:
        raise _bad("parallel.pipelineParallel", "%d does not divide the model's %d layers" % (pp, mcfg.n_layers),
                   "Use a pipeline-parallel size that divides %d." % mcfg.n_layers)
    if par["dataParallel"] != world_size:
        raise FinetuneError("FINETUNE_WORLD_SIZE_MISMATCH", "parallel.dataParallel is %d but the trainer was launched with %d processes"
                            % (par["dataParallel"], world_size), field="parallel.dataParallel",
                            fix="Launch %d processes (torchrun --nproc_per_node / srun tasks) or set parallel.dataParallel to %d." % (par["dataParallel"], world_size))
    g, m = hp["globalBatch"], hp["microBatch"]
    if g % (m * world_size):
        raise _bad("hp.globalBatch", "%d is not a multiple of microBatch × dataParallel = %d" % (g, m * world_size),
                   "Make hp.globalBatch a multiple of %d (gradient accumulation = globalBatch / (microBatch × dataParallel))." % (m * world_size))
    return g // (m * world_size)
