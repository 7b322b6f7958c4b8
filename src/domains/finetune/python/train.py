"""The fine-tuning trainer: `torchrun --nproc_per_node=P train.py --config run.json` (or plain python3, or srun).

Why this shape (finetune.md): data-parallel DDP over gloo on CPU; every step consumes one global batch of
`globalBatch` sequences, each rank a contiguous slice, in micro batches (accumulation = globalBatch /
(microBatch × world)). The loss is the sum of token losses divided by the target tokens of the whole global
batch, so the gradient, and hence the curve, is the same for 1 or 2 workers at the same seed and global batch.
LoRA dropout is seeded by the position of each micro batch in the data, not by the worker, for the same reason,
and resuming from a checkpoint continues bit-for-bit (data position = step × globalBatch).
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree (the build copies this folder)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
import inspect as _stdlib_inspect  # noqa: E402,F401  (loaded first so our inspect.py never shadows it)
sys.path.insert(0, _HERE)

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
from contextlib import nullcontext  # noqa: E402

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import checkpoint  # noqa: E402
from errors import FinetuneError, run_main  # noqa: E402
from runsetup import Metrics, data_sha, dist_env, prepare, set_threads  # noqa: E402


def lr_lambda(hp, max_steps):
    """Warmup (linear from lr/warmup) then cosine to lr/10, linear to 0, or constant."""
    warm, kind = hp["warmupSteps"], hp["schedule"]

    def f(step):
        if step < warm:
            return (step + 1) / warm
        p = min(1.0, (step - warm) / max(1, max_steps - warm))
        if kind == "cosine":
            return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p))
        return 1.0 - p if kind == "linear" else 1.0
    return f


def token_loss_sum(model, tokens, mask):
    x, y, w = tokens[:, :-1], tokens[:, 1:], mask[:, 1:].float()
    logits = model(x)
    losses = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="none")
    return (losses * w.reshape(-1)).sum()


def evaluate(model, toks, mask, rank, world, micro):
    """Mean token loss over the eval split (each rank a strided share, summed with all_reduce)."""
    if toks.shape[0] == 0:
        return None
    idx = torch.arange(rank, toks.shape[0], world)
    total = torch.zeros(2, dtype=torch.float64)
    was = model.training
    model.eval()
    with torch.no_grad():
        for i in range(0, len(idx), micro):
            b = idx[i:i + micro]
            total[0] += token_loss_sum(model, toks[b], mask[b]).double()
            total[1] += mask[b, 1:].sum()
    model.train(was)
    if world > 1:
        dist.all_reduce(total)
    return float(total[0] / max(total[1], 1))


class Order:
    """Global sample k → sequence index: a seeded permutation per epoch (the same on every rank)."""

    def __init__(self, n, seed):
        self.n, self.seed, self.cache = n, seed, {}

    def __call__(self, k):
        e = k // self.n
        if e not in self.cache:
            g = torch.Generator().manual_seed(self.seed * 1000003 + e)
            self.cache = {e: torch.randperm(self.n, generator=g)}
        return int(self.cache[e][k % self.n])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", required=True)
    args = ap.parse_args()
    rank, world, local_rank, local_world = dist_env()
    set_threads(local_world)
    run = prepare(args.config, world, rank)
    cfg, model, data, metrics = run.cfg, run.model, run.data, run.metrics
    hp = cfg["hp"]
    if world > 1 and not dist.is_initialized():
        from datetime import timedelta
        dist.init_process_group("gloo", rank=rank, world_size=world,
                                timeout=timedelta(seconds=int(os.environ.get("SAGEBRUSH_FT_TIMEOUT_S", "600"))))
    G, m, ga = hp["globalBatch"], hp["microBatch"], run.accum
    n_train = data.train_tokens.shape[0]
    max_steps = hp["maxSteps"] or max(1, math.ceil(hp["epochs"] * n_train / G))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=hp["lr"], betas=(0.9, 0.95), weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(hp, max_steps))
    sha = data_sha(cfg["data"]["train"])
    state, start = {}, 0
    ck = checkpoint.latest(cfg["outDir"]) if cfg["resume"] else None
    if ck:
        state = checkpoint.restore(ck, model, opt, sched)
        for key in ("globalBatch", "seqLen", "seed"):
            if state["config"]["hp"][key] != hp[key]:
                raise FinetuneError("FINETUNE_RESUME_MISMATCH", "hp.%s is %r but checkpoint %s was trained with %r"
                                    % (key, hp[key], ck, state["config"]["hp"][key]), field="hp." + key,
                                    fix="Resume with the same %s, or start a new run (resume: false or a new outDir)." % key)
        if state["data_sha256"] != sha:
            raise FinetuneError("FINETUNE_RESUME_MISMATCH", "the training data changed since checkpoint %s" % ck, field="data.train",
                                fix="Resume with the same data file, or start a new run.")
        start = state["step"]
    ddp = torch.nn.parallel.DistributedDataParallel(model, broadcast_buffers=False) if world > 1 else model
    base_eval = state.get("base_eval_loss") if ck else evaluate(model, data.eval_tokens, data.eval_mask, rank, world, m)
    metrics.emit({"type": "start", "world_size": world, "resumed_from_step": start, "base_eval_loss": base_eval,
                  "params": sum(p.numel() for p in model.parameters()), "trainable_params": sum(p.numel() for p in params),
                  "tokens_train": data.tokens_train, "tokens_eval": data.tokens_eval, "max_steps": max_steps,
                  "grad_accum": ga, "parallel": cfg["parallel"]})
    common = {"config": cfg, "model_config": model.cfg.to_dict(), "base_eval_loss": base_eval, "data_sha256": sha}
    order, share = Order(n_train, hp["seed"]), G // world
    loss, eval_loss, t_start = None, state.get("eval_loss"), time.time()
    last_ckpt = start
    model.train()
    for step in range(start, max_steps):
        t0 = time.time()
        first = step * G
        idx = torch.tensor([order(first + k) for k in range(G)])
        total = max(int(data.train_mask[idx, 1:].sum()), 1)
        mine = idx[rank * share:(rank + 1) * share]
        local = torch.zeros(1, dtype=torch.float64)
        for j in range(ga):
            b = mine[j * m:(j + 1) * m]
            torch.manual_seed(hp["seed"] * 1000003 + first + rank * share + j * m)
            with ddp.no_sync() if world > 1 and j < ga - 1 else nullcontext():
                s = token_loss_sum(ddp, data.train_tokens[b], data.train_mask[b])
                (s * world / total).backward()
            local += s.detach().double()
        if world > 1:
            dist.all_reduce(local)
        loss = float(local / total)
        clip = hp["gradClip"] if hp["gradClip"] else float("inf")
        grad_norm = float(torch.nn.utils.clip_grad_norm_(params, clip))
        lr = sched.get_last_lr()[0]
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        dt = max(time.time() - t0, 1e-9)
        done = step + 1
        metrics.emit({"type": "step", "step": done, "loss": loss, "lr": lr, "grad_norm": grad_norm,
                      "tokens_per_s": G * hp["seqLen"] / dt, "seqs_per_s": G / dt, "elapsed_s": time.time() - t_start})
        if (hp["evalEvery"] and done % hp["evalEvery"] == 0) or done == max_steps:
            eval_loss = evaluate(model, data.eval_tokens, data.eval_mask, rank, world, m)
            metrics.emit({"type": "eval", "step": done, "eval_loss": eval_loss})
        if (hp["checkpointEvery"] and done % hp["checkpointEvery"] == 0) or done == max_steps:
            if rank == 0:
                path = checkpoint.save(cfg["outDir"], done, model, opt, sched, dict(common, eval_loss=eval_loss, final_loss=loss))
                metrics.emit({"type": "checkpoint", "step": done, "path": path})
            last_ckpt = done
    if start >= max_steps:
        loss = state.get("final_loss")
    if world > 1:
        # Every rank meets here before "done" and before tearing gloo down: rank 0 is still writing the last
        # checkpoint while the others have finished, and a rank destroying its group while a peer is busy or
        # already gone hung in destroy_process_group (seen in the bench, torch 1.13). After the barrier all
        # ranks are idle, so the destroy is local and quick; a peer lost here fails the barrier (WORKER_LOST).
        dist.barrier()
    metrics.emit({"type": "done", "step": max(start, max_steps), "final_loss": loss, "eval_loss": eval_loss,
                  "base_eval_loss": base_eval, "last_checkpoint_step": last_ckpt})
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    run_main(main)
