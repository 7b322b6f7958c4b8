#!/usr/bin/python3
"""Reference values for src/ml/diagnostics/quality.test.ts, computed independently with NumPy and scikit-learn
(Debian python3-sklearn 1.2.1). Run: /usr/bin/python3 src/ml/diagnostics/__reference__/quality_reference.py
The data come from the MINSTD generator (x = 48271 x mod 2^31-1, exact in doubles), re-implemented in the test."""
import json
import numpy as np
import sklearn
from sklearn.metrics import precision_recall_curve, average_precision_score, f1_score

class Minstd:
    def __init__(self, seed): self.x = seed
    def next(self):
        self.x = (self.x * 48271) % 2147483647
        return self.x

RATES = [400, 200, 80, 30]      # per mille positives per label
SHIFT = [300, 300, 250, 200]    # how far positives' scores are pushed up (thousandths)

def multilabel(rows, seed):
    g = Minstd(seed); Y = np.zeros((rows, 4), int); S = np.zeros((rows, 4))
    for i in range(rows):
        for j in range(4):
            y = 1 if g.next() % 1000 < RATES[j] else 0
            s = (g.next() % 700 + (SHIFT[j] if y else 0)) / 1000.0
            Y[i, j] = y; S[i, j] = s
    return Y, S

def multiclass(rows, seed):
    g = Minstd(seed); y = np.zeros(rows, int); S = np.zeros((rows, 3))
    for i in range(rows):
        c = g.next() % 3; y[i] = c
        raw = np.array([g.next() % 100 + (30 if k == c else 0) + 1 for k in range(3)], float)
        S[i] = raw / raw.sum()
    return y, S

def choose(p, r, t, kind, target=None, beta=1.0):
    best = -1
    b2 = beta * beta
    f = (1 + b2) * p * r / np.maximum(b2 * p + r, 1e-12)
    for k in range(len(t)):
        if kind == "f":
            if best < 0 or f[k] > f[best]: best = k
        elif kind == "p":
            if p[k] < target: continue
            if best < 0 or r[k] > r[best] or (r[k] == r[best] and p[k] > p[best]): best = k
        else:
            if r[k] < target: continue
            if best < 0 or p[k] > p[best] or (p[k] == p[best] and r[k] > r[best]): best = k
    return None if best < 0 else [round(float(t[best]), 10), round(float(p[best]), 10), round(float(r[best]), 10), round(float(f[best]), 10)]

rd = lambda v: round(float(v), 10)
Y, S = multilabel(300, 7)
Yt, St = multilabel(150, 8)
out = {"sklearn": sklearn.__version__, "labels": []}
thr = []
for j in range(4):
    p, r, t = precision_recall_curve(Y[:, j], S[:, j])
    # F1 argmax over the curve without its last point, as the sklearn peer (sklearn_textclf.py --tune-thresholds)
    f1 = 2 * p * r / np.maximum(p + r, 1e-12)
    k = int(np.argmax(f1[:-1]))
    thr.append(t[k])
    out["labels"].append({
        "positives": int(Y[:, j].sum()), "nThresholds": len(t),
        "p10": [rd(v) for v in p[:10]], "r10": [rd(v) for v in r[:10]], "t10": [rd(v) for v in t[:10]],
        "f1": [rd(t[k]), rd(p[k]), rd(r[k]), rd(f1[k])],
        "f05": choose(p, r, t, "f", beta=0.5), "f2": choose(p, r, t, "f", beta=2.0),
        "p80": choose(p, r, t, "p", 0.8), "r90": choose(p, r, t, "r", 0.9), "p999": choose(p, r, t, "p", 0.999),
        "ap": rd(average_precision_score(Y[:, j], S[:, j])),
    })
thr = np.array(thr)
out["heldOut"] = {
    "macroF1At05": rd(f1_score(Yt, (St >= 0.5).astype(int), average="macro", zero_division=0)),
    "macroF1Tuned": rd(f1_score(Yt, (St >= thr).astype(int), average="macro", zero_division=0)),
    "perLabelTuned": [rd(v) for v in f1_score(Yt, (St >= thr).astype(int), average=None, zero_division=0)],
}
# Multi-class selective curve: answer when the top score >= t; precision = correct / answered, recall = correct / all.
yc, Sc = multiclass(200, 9)
top = Sc.argmax(1); conf = Sc.max(1); correct = (top == yc).astype(int)
p, r, t = precision_recall_curve(correct, conf)
r = r * correct.sum() / len(yc)
out["selective"] = {"nThresholds": len(t), "p5": [rd(v) for v in p[:5]], "r5": [rd(v) for v in r[:5]], "t5": [rd(v) for v in t[:5]],
                    "p90": choose(p, r, t, "p", 0.9), "f1": choose(p, r, t, "f")}
# Noisy-label score (threshold-normalised disagreement summed over labels), thresholds = the F1 thresholds above.
t_ = np.clip(thr, 1e-9, 1 - 1e-9)
D = np.where(Y == 1, np.where(S < t_, (t_ - S) / t_, 0.0), np.where(S >= t_, (S - t_) / (1 - t_), 0.0))
score = D.sum(1)
order = sorted(range(len(score)), key=lambda i: (-score[i], i))[:10]
out["noisyTop10"] = [[i, rd(score[i])] for i in order]
print(json.dumps(out))
