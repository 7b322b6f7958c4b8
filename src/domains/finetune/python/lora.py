"""LoRA (low-rank adaptation) for the llama module: y = W x + (alpha / rank) · B A dropout(x).

Why: fine-tuning a large model fully needs optimizer state for every weight; LoRA trains two small matrices per
targeted projection (A: rank × in, Kaiming-uniform; B: out × rank, zeros, so training starts from the base
model exactly) and merges B A into W for export, so the exported GGUF is a plain llama model.
Targets are the projection names wq wk wv wo (attention) and w1 w2 w3 (feed-forward).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

TARGETS = ("wq", "wk", "wv", "wo", "w1", "w2", "w3")


class LoRALinear(nn.Module):
    def __init__(self, base, rank, alpha, dropout):
        super().__init__()
        self.base, self.rank, self.scale, self.dropout = base, rank, alpha / rank, dropout
        self.lora_A = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        base.weight.requires_grad_(False)

    def forward(self, x):
        h = F.dropout(x, self.dropout, self.training) if self.dropout > 0 else x
        return self.base(x) + (h @ self.lora_A.t() @ self.lora_B.t()) * self.scale

    def merged_weight(self):
        return self.base.weight + (self.lora_B @ self.lora_A) * self.scale


def apply_lora(model, rank, alpha, dropout, targets):
    """Freezes the model and wraps each targeted projection; returns the wrapped module names."""
    for p in model.parameters():
        p.requires_grad_(False)
    wrapped = []
    for name, module in list(model.named_modules()):
        for t in targets:
            child = getattr(module, t, None)
            if isinstance(child, nn.Linear):
                setattr(module, t, LoRALinear(child, rank, alpha, dropout))
                wrapped.append("%s.%s" % (name, t))
    return wrapped


def adapter_state(model):
    """Only the LoRA parameters (what a LoRA checkpoint stores)."""
    return {k: v.detach().clone() for k, v in model.state_dict().items() if "lora_" in k}


def merge_lora(model):
    """Replaces every LoRALinear with a plain Linear holding W + scale · B A (in place)."""
    with torch.no_grad():
        for module in list(model.modules()):
            for t in TARGETS:
                child = getattr(module, t, None)
                if isinstance(child, LoRALinear):
                    lin = child.base
                    lin.weight.copy_(child.merged_weight())
                    setattr(module, t, lin)
    return model
