#!/usr/bin/python3
"""Peer for `npm run bench images`: scikit-learn StandardScaler + LogisticRegression(multinomial, lbfgs,
class_weight='balanced', same C) on the SAME backbone embeddings and the SAME lesion-grouped folds as ours.
Usage: /usr/bin/python3 bench/images.peer.py EMBEDDINGS.f32 SPEC.json
EMBEDDINGS.f32: float32 little-endian [n, views, d] (view 0 = centre). SPEC.json: {n, views, d, k, labels, folds, C,
maxIter, variants: [{name, train: 'center'|'each', test: 'center'|'mean-proba'}]}; a variant may instead give
trainViews / testViews (indices into the views axis: training rows, and the rows whose features are averaged into
one prediction row, the image head's test-time augmentation) and Cs (heads at each C, coefficients averaged).
Prints JSON: per variant out-of-fold probabilities, pooled balanced accuracy / macro F1 (sklearn's own functions) and
the summed fit seconds (StandardScaler fit + transform + LogisticRegression fit, per fold)."""
import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore", category=ConvergenceWarning)
emb_file, spec_file = sys.argv[1], sys.argv[2]
spec = json.load(open(spec_file))
n, V, d, k = spec["n"], spec["views"], spec["d"], spec["k"]
E = np.fromfile(emb_file, dtype="<f4").reshape(n, V, d).astype(np.float64)
y = np.asarray(spec["labels"])
folds = np.asarray(spec["folds"])
out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "variants": {}}
for var in spec["variants"]:
    oof = np.zeros((n, k))
    fit_seconds = 0.0
    n_iter = []
    for f in sorted(set(folds.tolist())):
        tr, te = np.where(folds != f)[0], np.where(folds == f)[0]
        tv = var.get("trainViews")
        if tv is not None:
            Xtr, ytr = E[tr][:, tv].reshape(-1, d), np.repeat(y[tr], len(tv))
        elif var["train"] == "center":
            Xtr, ytr = E[tr, 0], y[tr]
        else:
            Xtr, ytr = E[tr].reshape(-1, d), np.repeat(y[tr], V)
        t0 = time.perf_counter()
        sc = StandardScaler().fit(Xtr)
        clfs = [LogisticRegression(multi_class="multinomial", solver="lbfgs", C=C, class_weight="balanced",
                                   max_iter=spec["maxIter"]).fit(sc.transform(Xtr), ytr) for C in var.get("Cs", [spec["C"]])]
        fit_seconds += time.perf_counter() - t0
        n_iter.extend(int(c.n_iter_[0]) for c in clfs)
        classes = clfs[0].classes_
        coef = np.mean([c.coef_ for c in clfs], axis=0)
        intercept = np.mean([c.intercept_ - c.intercept_.mean() for c in clfs], axis=0)

        def proba(X):
            z = sc.transform(X) @ coef.T + intercept
            z = np.exp(z - z.max(1, keepdims=True))
            return z / z.sum(1, keepdims=True)
        # classes are the labels present in the training part; map back to all k columns
        if var.get("testViews") is not None:
            P = proba(E[te][:, var["testViews"]].mean(1))
        elif var["test"] == "center":
            P = proba(E[te, 0])
        else:
            P = np.mean([proba(E[te, v]) for v in range(V)], axis=0)
        full = np.zeros((len(te), k))
        full[:, classes] = P
        oof[te] = full
    pred = oof.argmax(1)
    out["variants"][var["name"]] = {
        "proba": np.round(oof, 6).ravel().tolist(), "fit_seconds": fit_seconds, "n_iter": n_iter,
        "balanced_accuracy": float(balanced_accuracy_score(y, pred)), "macro_f1": float(f1_score(y, pred, average="macro", zero_division=0)),
    }
print(json.dumps(out))
