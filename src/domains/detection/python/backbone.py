"""The frozen MobileNetV2 layers the detector reads, rebuilt in torch from the float32 weights that
backboneWeights.ts dequantized from the bundled int8 ONNX file (no ONNX package needed here).

The spec is a list of convs and residual adds in graph order; `Part` runs a slice of it, so the stride-8 stem
(computed once per image and cached) and the stride-16 blocks can be separate modules.
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Part(nn.Module):
    """Runs ops[start:stop] of the spec from tensor `inp` to tensor `out` (a static loop: traceable for ONNX)."""

    def __init__(self, ops, weights, inp, out):
        super().__init__()
        self.ops = ops
        self.inp = inp
        self.out = out
        self.convs = nn.ModuleList()
        for o in ops:
            if o['op'] != 'conv':
                continue
            conv = nn.Conv2d(o['cin'], o['cout'], o['k'], o['stride'], o['pad'], groups=o['group'])
            n_w = o['cout'] * (o['cin'] // o['group']) * o['k'] * o['k']
            conv.weight.data = torch.from_numpy(weights[o['w']:o['w'] + n_w].copy()).view_as(conv.weight)
            conv.bias.data = torch.from_numpy(weights[o['b']:o['b'] + o['cout']].copy())
            self.convs.append(conv)

    def forward(self, x):
        env = {self.inp: x}
        i = 0
        for o in self.ops:
            if o['op'] == 'conv':
                v = self.convs[i](env[o['x']])
                i += 1
                env[o['y']] = F.relu6(v) if o['relu'] else v
            else:
                env[o['y']] = env[o['a']] + env[o['b']]
        return env[self.out]


def load_backbone(spec_path, weights_path):
    """(stem, mid, channels): stem = image → stride-8 map, mid = stride-8 → stride-16 map."""
    with open(spec_path) as f:
        spec = json.load(f)
    weights = np.fromfile(weights_path, dtype='<f4')
    ops = spec['ops']
    t8, t16 = spec['taps']['8'], spec['taps']['16']
    cut = next(i for i, o in enumerate(ops) if o['y'] == t8) + 1
    stem = Part(ops[:cut], weights, spec['input'], t8)
    mid = Part(ops[cut:], weights, t8, t16)
    for p in list(stem.parameters()) + list(mid.parameters()):
        p.requires_grad = False
    return stem.eval(), mid.eval(), (spec['channels']['8'], spec['channels']['16'])
