"""What train.py and inspect.py share: the launch environment, the base model + tokenizer, the data, metrics.

Why one place: inspect must report exactly the problems train would fail on (same checks, same order), and
every rank must derive the same sequences from the same files without talking to the others.
"""
import hashlib
import json
import os
import sys

import torch

from config import check_shape, load_config
from data import Dataset
from errors import FinetuneError
from lora import apply_lora
from model import load_base
from tokenizer import from_gguf, from_llama2c


def _env_int(*names, default=None):
    for n in names:
        v = os.environ.get(n)
        if v not in (None, ""):
            return int(v)
    return default


def dist_env():
    """(rank, world, local_rank, local_world) from torchrun's variables, else Slurm's, else a single process."""
    world = _env_int("WORLD_SIZE", "SLURM_NTASKS", default=1)
    rank = _env_int("RANK", "SLURM_PROCID", default=0)
    local_rank = _env_int("LOCAL_RANK", "SLURM_LOCALID", default=0)
    local_world = _env_int("LOCAL_WORLD_SIZE", "SLURM_NTASKS_PER_NODE", default=None)
    if local_world is None:
        local_world = world if _env_int("SLURM_NNODES", default=1) == 1 else max(1, world // _env_int("SLURM_NNODES", default=1))
    if world > 1:
        os.environ.setdefault("RANK", str(rank))
        os.environ.setdefault("WORLD_SIZE", str(world))
        if not os.environ.get("MASTER_ADDR") or not os.environ.get("MASTER_PORT"):
            raise FinetuneError("FINETUNE_BAD_LAUNCH", "world size %d but MASTER_ADDR/MASTER_PORT are not set" % world,
                                field="parallel.dataParallel", fix="Launch with torchrun, or export MASTER_ADDR and MASTER_PORT in the sbatch script.")
    return rank, world, local_rank, local_world


def set_threads(local_world):
    """Splits this machine's cores between the workers on it; on ≤ 2 cores always 1 thread: more threads than
    free cores makes every worker wait on spinning OpenMP threads (measured here on the shared 2-core machine:
    1 worker, 2 threads = 150-390 tokens/s; 1 thread = 1,800 tokens/s). SAGEBRUSH_FT_THREADS overrides."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    n = int(os.environ.get("SAGEBRUSH_FT_THREADS", "0")) or (1 if cores <= 2 else max(1, cores // max(1, local_world)))
    torch.set_num_threads(n)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass


def data_sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_tokenizer(cfg, gguf, vocab_size):
    if gguf is not None:
        return from_gguf(gguf)
    return from_llama2c(cfg["base"]["tokenizer"], vocab_size)


class Metrics:
    """Rank 0 appends JSON lines to outDir/metrics.jsonl and echoes them to stdout, flushed per line."""

    def __init__(self, out_dir, rank):
        self.f = None
        if rank == 0:
            os.makedirs(out_dir, exist_ok=True)
            self.f = open(os.path.join(out_dir, "metrics.jsonl"), "a", encoding="utf-8")

    def emit(self, obj):
        if self.f is None:
            return
        line = json.dumps(obj) + "\n"
        self.f.write(line)
        self.f.flush()
        sys.stdout.write(line)
        sys.stdout.flush()


class Run:
    pass


def prepare(config_path, world, rank):
    """Loads and checks everything; raises FinetuneError (exit 2) before any training on bad input."""
    r = Run()
    r.cfg = cfg = load_config(config_path)
    r.model, r.gguf = load_base(cfg["base"]["path"], cfg["base"]["format"])
    r.accum = check_shape(cfg, r.model.cfg, world)
    r.tok = load_tokenizer(cfg, r.gguf, r.model.cfg.vocab_size)
    r.data = Dataset(cfg, r.tok)
    if r.data.problems:
        p = r.data.problems[0]
        raise FinetuneError("FINETUNE_BAD_DATA", "%s: %d bad row(s); row %s: %s" % (cfg["data"]["train"], len(r.data.problems), p["row"], p["problem"]),
                            field="data.train" + ("." + p["field"] if "field" in p else ""), fix=p["fix"], row=p["row"],
                            problems=r.data.problems[:50])
    if r.data.train_tokens.shape[0] == 0:
        raise FinetuneError("FINETUNE_BAD_DATA", "%s has no training rows" % cfg["data"]["train"], field="data.train",
                            fix="Give at least one row (and lower data.evalFraction for tiny files).")
    d = r.data
    d.train_tokens, d.train_mask = torch.from_numpy(d.train_tokens), torch.from_numpy(d.train_mask)
    d.eval_tokens, d.eval_mask = torch.from_numpy(d.eval_tokens), torch.from_numpy(d.eval_mask)
    if cfg["method"] == "lora":
        torch.manual_seed(cfg["hp"]["seed"])
        lo = cfg["lora"]
        apply_lora(r.model, lo["rank"], lo["alpha"], lo["dropout"], lo["targets"])
    r.metrics = Metrics(cfg["outDir"], rank)
    return r
