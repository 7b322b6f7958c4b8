"""Trains the Sagebrush detector and exports it as one ONNX file (called by src/domains/detection/trainer.ts).

Input: a job folder with job.json (classes, input size, epochs, seed, the training images with their pixel
offsets and boxes), pixels.u8 (each image's RGB bytes, HWC, at its own size) and the backbone spec/weights.
Only training images are here: the held-out split never reaches this script (trainer.ts evaluates the exported
file on it). Why frozen features: on a shared 2-core CPU the MobileNetV2 layers up to stride 16 are run once per
image and flip (cached in float16), and only the small head trains, so an epoch takes seconds.

Output: model.onnx (uint8 [H, W, 3] image → boxes, scores, class_ids after NMS), and JSON lines on stdout:
{"type": "progress", "fraction", "message"} and a final {"type": "result", ...}.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from backbone import load_backbone  # noqa: E402
from export import export_onnx  # noqa: E402
from fcos import Head, grid_points, loss, targets  # noqa: E402

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def emit(**msg):
    print(json.dumps(msg), flush=True)


def preprocess(u8, size):
    """uint8 [B, H, W, 3] → normalised float [B, 3, h, w]; the same ops the exported graph runs."""
    x = u8.permute(0, 3, 1, 2).float()
    x = F.interpolate(x, size=(size[1], size[0]), mode='bilinear', align_corners=False)
    return (x / 255.0 - MEAN) / STD


def flip_boxes(b, flip, w, h):
    if flip & 1:
        b = torch.stack([w - b[:, 2], b[:, 1], w - b[:, 0], b[:, 3]], 1)
    if flip & 2:
        b = torch.stack([b[:, 0], h - b[:, 3], b[:, 2], h - b[:, 1]], 1)
    return b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--job', required=True)
    args = ap.parse_args()
    job_dir = args.job
    with open(os.path.join(job_dir, 'job.json')) as f:
        job = json.load(f)
    torch.set_num_threads(max(1, int(job.get('threads', 2))))
    seed = int(job['seed'])
    torch.manual_seed(seed)
    random.seed(seed)
    rng = np.random.RandomState(seed)
    size = job['size']  # [w, h] of the network input
    n_classes = len(job['classes'])
    epochs = int(job['epochs'])
    # Flip variants per image: none, horizontal, vertical (and both with flips=4). On an inner split of the
    # training part, 3 and 4 variants gave the same mAP50-95 (0.49 / 0.48); 3 costs a quarter less feature time.
    flips = int(job.get('flips', 3))
    t0 = time.time()

    stem, mid, (c8ch, c16ch) = load_backbone(os.path.join(job_dir, 'backbone.json'), os.path.join(job_dir, 'backbone.bin'))
    images = job['images']
    head = Head(c8ch, c16ch, n_classes, ch=int(job.get('channels', 64)))
    if epochs == 0:  # an untrained head: a contract-shaped file for tests, in seconds
        export_onnx(stem, mid, head.eval(), size, n_classes, os.path.join(job_dir, 'model.onnx'), job.get('nms', {}))
        emit(type='result', train_seconds=time.time() - t0, feature_seconds=0, epochs=0, loss=None, n_train=len(images))
        return
    pixels = np.memmap(os.path.join(job_dir, 'pixels.u8'), dtype=np.uint8, mode='r')
    f8, f16, tgt = [], [], []
    points = None
    emit(type='progress', fraction=0.0, message=f'features of {len(images)} images × {flips} flips')
    with torch.no_grad():
        for i, im in enumerate(images):
            raw = torch.from_numpy(np.array(pixels[im['offset']:im['offset'] + im['height'] * im['width'] * 3])).view(1, im['height'], im['width'], 3)
            x = preprocess(raw, size)
            sx, sy = size[0] / im['width'], size[1] / im['height']
            b = torch.tensor([[bx[1] * sx, bx[2] * sy, bx[3] * sx, bx[4] * sy] for bx in im['boxes']], dtype=torch.float32).view(-1, 4)
            c = torch.tensor([int(bx[0]) for bx in im['boxes']], dtype=torch.long)
            variants = [x] + [x.flip(3), x.flip(2), x.flip(2).flip(3)][:flips - 1]
            batch = torch.cat(variants)
            c8 = stem(batch)
            c16 = mid(c8)
            if points is None:
                points = grid_points(c8.shape[2], c8.shape[3])
            f8.append(c8.half())
            f16.append(c16.half())
            tgt.append([targets(points, flip_boxes(b, fl, size[0], size[1]), c, n_classes, job.get('radius', 1.5)) for fl in range(flips)])
            if i % 10 == 0:
                emit(type='progress', fraction=0.3 * (i + 1) / len(images), message=f'features {i + 1}/{len(images)}')
    feature_seconds = time.time() - t0

    batch_size = int(job.get('batch_size', 16))
    steps = epochs * math.ceil(len(images) / batch_size)
    lr = float(job.get('lr', 3e-3))
    opt = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(steps, 1), pct_start=0.1)
    last = 0.0
    for ep in range(epochs):
        head.train()
        order = rng.permutation(len(images))
        total = 0.0
        for k in range(0, len(order), batch_size):
            ids = order[k:k + batch_size]
            fl = rng.randint(0, flips, len(ids))
            c8 = torch.stack([f8[i][f] for i, f in zip(ids, fl)]).float()
            c16 = torch.stack([f16[i][f] for i, f in zip(ids, fl)]).float()
            tc = torch.stack([tgt[i][f][0] for i, f in zip(ids, fl)])
            tr = torch.stack([tgt[i][f][1] for i, f in zip(ids, fl)])
            tp = torch.stack([tgt[i][f][2] for i, f in zip(ids, fl)])
            value = loss(head(c8, c16), tc, tr, tp)
            opt.zero_grad()
            value.backward()
            opt.step()
            sched.step()
            total += float(value) * len(ids)
        last = total / len(images)
        emit(type='progress', fraction=0.3 + 0.65 * (ep + 1) / epochs, message=f'epoch {ep + 1}/{epochs} loss {last:.4f}', epoch=ep + 1, loss=last)
    train_seconds = time.time() - t0
    head.eval()
    export_onnx(stem, mid, head, size, n_classes, os.path.join(job_dir, 'model.onnx'), job.get('nms', {}))
    emit(type='result', train_seconds=train_seconds, feature_seconds=feature_seconds, epochs=epochs, loss=last, n_train=len(images))


if __name__ == '__main__':
    main()
