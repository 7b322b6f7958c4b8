"""Atomic checkpoints: outDir/checkpoints/step-NNNNNN/ + a `latest` file naming the newest.

Why: a worker can be killed (-9) at any instant; a checkpoint directory is complete or absent. Each one is
written under a temp name and renamed, then `latest` is replaced (write temp + rename), so `latest` always
names a complete checkpoint. Contents: model.pt (full fine-tune: every weight) or adapter.pt (LoRA: only
the adapter), optimizer.pt, rng.pt (torch / numpy / random states), state.json (step, samples seen = data
position, scheduler state, base eval loss, the run config and the model config, for resume and export).
"""
import json
import os
import random
import shutil

import numpy as np
import torch

from errors import FinetuneError
from lora import adapter_state


def ckpt_root(out_dir):
    return os.path.join(out_dir, "checkpoints")


def save(out_dir, step, model, optimizer, scheduler, state):
    root = ckpt_root(out_dir)
    os.makedirs(root, exist_ok=True)
    name = "step-%06d" % step
    final, tmp = os.path.join(root, name), os.path.join(root, ".tmp-" + name)
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    if state["config"]["method"] == "lora":
        torch.save(adapter_state(model), os.path.join(tmp, "adapter.pt"))
    else:
        torch.save(model.state_dict(), os.path.join(tmp, "model.pt"))
    torch.save(optimizer.state_dict(), os.path.join(tmp, "optimizer.pt"))
    torch.save({"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "random": random.getstate()},
               os.path.join(tmp, "rng.pt"))
    with open(os.path.join(tmp, "state.json"), "w") as f:
        json.dump(dict(state, step=step, scheduler=scheduler.state_dict()), f)
    if os.path.exists(final):
        shutil.rmtree(final)
    os.rename(tmp, final)
    latest_tmp = os.path.join(root, ".latest.tmp")
    with open(latest_tmp, "w") as f:
        f.write(name + "\n")
    os.replace(latest_tmp, os.path.join(root, "latest"))
    return final


def latest(out_dir):
    """The newest complete checkpoint directory, or None."""
    p = os.path.join(ckpt_root(out_dir), "latest")
    if not os.path.isfile(p):
        return None
    with open(p) as f:
        d = os.path.join(ckpt_root(out_dir), f.read().strip())
    return d if os.path.isfile(os.path.join(d, "state.json")) else None


def read_state(ckpt_dir):
    p = os.path.join(ckpt_dir, "state.json")
    if not os.path.isfile(p):
        raise FinetuneError("FINETUNE_BAD_CHECKPOINT", "%s is not a fine-tuning checkpoint (no state.json)" % ckpt_dir,
                            field="checkpoint", fix="Give a checkpoints/step-NNNNNN directory written by train.py.")
    with open(p) as f:
        return json.load(f)


def load_weights(ckpt_dir, model, method):
    """Loads model.pt (strict) or adapter.pt (LoRA keys only) into `model`."""
    if method == "lora":
        sd = torch.load(os.path.join(ckpt_dir, "adapter.pt"))
        missing = set(sd) - set(model.state_dict())
        if missing:
            raise FinetuneError("FINETUNE_BAD_CHECKPOINT", "adapter keys %s do not fit the model" % sorted(missing)[:3],
                                field="checkpoint", fix="Use the base model and LoRA targets the checkpoint was trained with.")
        model.load_state_dict(sd, strict=False)
    else:
        model.load_state_dict(torch.load(os.path.join(ckpt_dir, "model.pt")))


def restore(ckpt_dir, model, optimizer, scheduler):
    state = read_state(ckpt_dir)
    load_weights(ckpt_dir, model, state["config"]["method"])
    optimizer.load_state_dict(torch.load(os.path.join(ckpt_dir, "optimizer.pt")))
    scheduler.load_state_dict(state["scheduler"])
    rng = torch.load(os.path.join(ckpt_dir, "rng.pt"))
    torch.set_rng_state(rng["torch"])
    np.random.set_state(rng["numpy"])
    random.setstate(rng["random"])
    return state
