"""A small FCOS-style anchor-free head (Tian et al. 2019) on stride-8 and stride-16 MobileNetV2 features:
one stride-8 map (the stride-16 map upsampled and added), a depthwise-separable tower, per-location class
logits, box distances (left, top, right, bottom) and centerness. Anchor-free because boxes in this kind of data
vary widely in shape (long thin scratches next to round dents), and a single stride-8 level because the sample's
boxes are 10–200 px on a 448×288 input.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

STRIDE = 8


class Head(nn.Module):
    def __init__(self, c8, c16, n_classes, ch=64, depth=3):
        super().__init__()
        self.l8 = nn.Conv2d(c8, ch, 1)
        self.l16 = nn.Conv2d(c16, ch, 1)

        def block():
            return nn.Sequential(nn.Conv2d(ch, ch, 3, 1, 1, groups=ch), nn.Conv2d(ch, ch, 1), nn.BatchNorm2d(ch), nn.ReLU())

        self.tower = nn.Sequential(*[block() for _ in range(depth)])
        self.cls = nn.Conv2d(ch, n_classes, 3, 1, 1)
        self.reg = nn.Conv2d(ch, 4, 3, 1, 1)
        self.ctr = nn.Conv2d(ch, 1, 3, 1, 1)
        nn.init.constant_(self.cls.bias, -4.6)  # prior 0.01: focal loss starts from "background everywhere"

    def forward(self, c8, c16):
        p = self.l8(c8) + F.interpolate(self.l16(c16), size=c8.shape[2:], mode='nearest')
        t = self.tower(p)
        return self.cls(t), torch.exp(self.reg(t).clamp(max=6)) * STRIDE, self.ctr(t)


def grid_points(h, w):
    """Centres of the stride-8 cells, (L, 2) as x, y in input pixels."""
    gy, gx = torch.meshgrid(torch.arange(h), torch.arange(w), indexing='ij')
    return torch.stack([gx.flatten() * STRIDE + STRIDE // 2, gy.flatten() * STRIDE + STRIDE // 2], 1).float()


def targets(points, boxes, classes, n_classes, radius):
    """Per location: one-hot class target, ltrb distances, positive mask. A location is positive when it lies in
    a box and within `radius` cells of its centre (centre sampling); ties go to the smallest box."""
    n = points.shape[0]
    cls = torch.zeros(n, n_classes)
    if len(boxes) == 0:
        return cls, torch.zeros(n, 4), torch.zeros(n, dtype=torch.bool)
    px, py = points[:, None, 0], points[:, None, 1]
    ltrb = torch.stack([px - boxes[None, :, 0], py - boxes[None, :, 1], boxes[None, :, 2] - px, boxes[None, :, 3] - py], 2)
    inside = ltrb.min(2).values > 0
    cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    rw = ((boxes[:, 2] - boxes[:, 0]) / 2).clamp(max=radius * STRIDE, min=STRIDE / 2)
    rh = ((boxes[:, 3] - boxes[:, 1]) / 2).clamp(max=radius * STRIDE, min=STRIDE / 2)
    near = ((px - cx).abs() <= rw) & ((py - cy).abs() <= rh)
    area = ((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))[None].expand(n, -1).clone()
    area[~(inside & near)] = float('inf')
    best, j = area.min(1)
    pos = torch.isfinite(best)
    cls[pos, classes[j[pos]]] = 1
    return cls, ltrb[torch.arange(n), j], pos


def giou_loss(p, t):
    """1 − GIoU of boxes given as ltrb distances from the same point."""
    pa = (p[:, 0] + p[:, 2]) * (p[:, 1] + p[:, 3])
    ta = (t[:, 0] + t[:, 2]) * (t[:, 1] + t[:, 3])
    iw = torch.minimum(p[:, 0], t[:, 0]) + torch.minimum(p[:, 2], t[:, 2])
    ih = torch.minimum(p[:, 1], t[:, 1]) + torch.minimum(p[:, 3], t[:, 3])
    inter = iw * ih
    union = pa + ta - inter
    enc = (torch.maximum(p[:, 0], t[:, 0]) + torch.maximum(p[:, 2], t[:, 2])) * (torch.maximum(p[:, 1], t[:, 1]) + torch.maximum(p[:, 3], t[:, 3]))
    return 1 - (inter / union.clamp(min=1e-6) - (enc - union) / enc.clamp(min=1e-6))


def centerness(t):
    lr, tb = t[:, [0, 2]], t[:, [1, 3]]
    return torch.sqrt((lr.min(1).values / lr.max(1).values) * (tb.min(1).values / tb.max(1).values))


def loss(out, tcls, treg, tpos):
    """Focal loss on classes, centerness-weighted GIoU on boxes, BCE on centerness (FCOS)."""
    cls, reg, ctr = out
    cls = cls.flatten(2).transpose(1, 2)
    reg = reg.flatten(2).transpose(1, 2)
    ctr = ctr.flatten(2).squeeze(1)
    npos = max(int(tpos.sum()), 1)
    lc = torchvision.ops.sigmoid_focal_loss(cls, tcls, reduction='sum') / npos
    if not tpos.any():
        return lc
    tt = treg[tpos]
    cn = centerness(tt)
    lr = (giou_loss(reg[tpos], tt) * cn).sum() / cn.sum().clamp(min=1e-6)
    return lc + lr + F.binary_cross_entropy_with_logits(ctr[tpos], cn)


def decode(out, points, score_threshold=0.05, iou_threshold=0.5, max_det=100, pre_nms=1000):
    """Boxes (N, 4) x1y1x2y2, scores (N,), classes (N,) for one image; traceable for ONNX (NonMaxSuppression)."""
    cls, reg, ctr = out
    n_classes = cls.shape[1]
    scores = torch.sqrt(torch.sigmoid(cls[0]).flatten(1).T * torch.sigmoid(ctr[0]).flatten()[:, None]).flatten()
    r = reg[0].flatten(1).T
    boxes = torch.stack([points[:, 0] - r[:, 0], points[:, 1] - r[:, 1], points[:, 0] + r[:, 2], points[:, 1] + r[:, 3]], 1)
    k = min(pre_nms, scores.shape[0])
    top, idx = scores.topk(k)
    keep = top > score_threshold
    top, idx = top[keep], idx[keep]
    loc = torch.div(idx, n_classes, rounding_mode='floor')
    classes = idx - loc * n_classes
    b = boxes[loc]
    kept = torchvision.ops.batched_nms(b, top, classes, iou_threshold)[:max_det]
    return b[kept], top[kept], classes[kept]
