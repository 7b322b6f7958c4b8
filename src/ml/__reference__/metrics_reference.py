#!/usr/bin/python3
"""Reference values for src/ml/metrics/metrics.test.ts (Debian python3-sklearn 1.2.1).
Run: /usr/bin/python3 src/ml/__reference__/metrics_reference.py — the arrays below are repeated in the test."""
import json
import numpy as np
import sklearn
from sklearn import metrics as M

# 12 rows x 3 labels; label 2 has no positives predicted, scores have ties
Y = np.array([[1,0,0],[0,1,0],[1,1,0],[0,0,1],[1,0,1],[0,0,0],[1,1,1],[0,1,0],[0,0,0],[1,0,0],[0,1,1],[1,0,0]])
S = np.array([[.9,.2,.1],[.3,.8,.2],[.7,.6,.3],[.2,.1,.4],[.6,.3,.35],[.1,.2,.1],[.8,.7,.3],[.4,.9,.2],[.3,.3,.1],[.55,.1,.05],[.2,.45,.3],[.4,.2,.1]])
P = (S >= 0.5).astype(int)
r = lambda v: round(float(v), 10)
out = {"sklearn": sklearn.__version__}
out["accuracy"] = r(M.accuracy_score(Y, P))
out["hamming"] = r(M.hamming_loss(Y, P))
p, rc, f, s = M.precision_recall_fscore_support(Y, P, zero_division=0)
out["perLabel"] = {"precision": [r(v) for v in p], "recall": [r(v) for v in rc], "f1": [r(v) for v in f], "support": [int(v) for v in s]}
for avg in ["macro", "micro", "weighted"]:
    p, rc, f, _ = M.precision_recall_fscore_support(Y, P, average=avg, zero_division=0)
    out[avg] = [r(p), r(rc), r(f)]
out["f2macro"] = r(M.fbeta_score(Y, P, beta=2, average="macro", zero_division=0))
out["mcm"] = M.multilabel_confusion_matrix(Y, P).tolist()
out["auc"] = [r(M.roc_auc_score(Y[:, j], S[:, j])) for j in range(3)]
out["ap"] = [r(M.average_precision_score(Y[:, j], S[:, j])) for j in range(3)]
fpr, tpr, th = M.roc_curve(Y[:, 2], S[:, 2])
out["roc2"] = {"fpr": [r(v) for v in fpr], "tpr": [r(v) for v in tpr], "thresholds": [r(v) for v in th]}
curves = []
for j in range(3):
    pr, rec, th = M.precision_recall_curve(Y[:, j], S[:, j])
    f1 = 2 * pr * rec / np.maximum(pr + rec, 1e-12)
    k = int(np.argmax(f1[:-1]))
    curves.append({"precision": [r(v) for v in pr], "recall": [r(v) for v in rec], "thresholds": [r(v) for v in th], "bestF1Threshold": r(th[k]), "bestF1": r(f1[k])})
out["pr"] = curves
# multi-class
yt = [0, 1, 2, 2, 1, 0, 3, 3, 1, 2, 0, 1]
yp = [0, 2, 2, 1, 1, 0, 3, 1, 1, 2, 1, 1]
out["cm"] = M.confusion_matrix(yt, yp, labels=[0, 1, 2, 3, 4]).tolist()
out["mcAccuracy"] = r(M.accuracy_score(yt, yp))
p, rc, f, s = M.precision_recall_fscore_support(yt, yp, labels=[0, 1, 2, 3, 4], zero_division=0)
out["mcPerClass"] = {"precision": [r(v) for v in p], "recall": [r(v) for v in rc], "f1": [r(v) for v in f], "support": [int(v) for v in s]}
out["mcMacroF1"] = r(M.f1_score(yt, yp, labels=[0, 1, 2, 3, 4], average="macro", zero_division=0))
out["mcMicroF1"] = r(M.f1_score(yt, yp, labels=[0, 1, 2, 3, 4], average="micro", zero_division=0))
print(json.dumps(out))
