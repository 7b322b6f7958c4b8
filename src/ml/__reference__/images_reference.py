#!/usr/bin/python3
"""Reference values for the image-classifier algorithms in src/ml (softmax.test.ts, standardize.test.ts,
calibration.test.ts, neighbors.test.ts, metrics/multiclass.test.ts).
Run: /usr/bin/python3 src/ml/__reference__/images_reference.py > src/ml/__reference__/images_reference.json
(Debian python3-sklearn 1.2.1, numpy, scipy). Inputs are written into the JSON with the expected outputs."""
import json
import numpy as np
import scipy
import sklearn
from scipy.optimize import minimize_scalar
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, roc_auc_score
from sklearn.preprocessing import StandardScaler

R = lambda a: np.round(np.asarray(a, dtype=float), 10).tolist()
out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__}


def softmax_case(name, X, y, k, **kw):
    clf = LogisticRegression(multi_class="multinomial", solver="lbfgs", tol=1e-10, max_iter=100000, **kw).fit(X, y)
    out.setdefault("softmax", []).append({
        "name": name, "n": int(X.shape[0]), "d": int(X.shape[1]), "k": k, "X": R(X.ravel()), "y": [int(v) for v in y],
        "C": kw.get("C", 1.0), "classWeight": kw.get("class_weight"),
        "coef": R(clf.coef_.ravel()), "intercept": R(clf.intercept_), "proba": R(clf.predict_proba(X).ravel()),
    })


# 1. iris (n > d), C = 1 and C = 0.05
iris = load_iris()
softmax_case("iris-C1", iris.data, iris.target, 3, C=1.0)
softmax_case("iris-C0.05", iris.data, iris.target, 3, C=0.05)
# 2. imbalanced iris subset with class_weight='balanced'
idx = np.r_[0:50, 50:70, 100:110]
softmax_case("iris-imbalanced-balanced", iris.data[idx], iris.target[idx], 3, C=0.5, class_weight="balanced")
# 3. wide (d > n, like 1000 backbone logits for ~170 images): seeded synthetic, standardised, balanced
rng = np.random.RandomState(7)
n, d, k = 48, 80, 4
centers = rng.randn(k, d) * 0.6
yw = np.r_[np.zeros(24), np.ones(12), np.full(8, 2), np.full(4, 3)].astype(int)
Xw = centers[yw] + rng.randn(n, d)
Xw[:, 5] = 3.0  # a constant column: StandardScaler keeps scale 1
scaler = StandardScaler().fit(Xw)
out["standardize"] = {"n": n, "d": d, "X": R(Xw.ravel()), "mean": R(scaler.mean_), "scale": R(scaler.scale_),
                      "transformedRow0": R(scaler.transform(Xw)[0])}
softmax_case("wide-balanced", scaler.transform(Xw), yw, k, C=0.1, class_weight="balanced")

# 4. temperature scaling: over-confident logits; T minimises mean NLL of softmax(z / T) (bounded Brent on log T)
rng = np.random.RandomState(3)
nt, kt = 200, 5
Z = rng.randn(nt, kt) * 4.0
P = np.exp(Z / 3.0 - (Z / 3.0).max(1, keepdims=True)); P /= P.sum(1, keepdims=True)
yt = np.array([rng.choice(kt, p=p) for p in P])


def nll(logT):
    s = Z / np.exp(logT)
    m = s.max(1, keepdims=True)
    lse = (m + np.log(np.exp(s - m).sum(1, keepdims=True)))[:, 0]
    return float(np.mean(lse - s[np.arange(nt), yt]))


def ece(proba, y, bins=15):
    conf, pred = proba.max(1), proba.argmax(1)
    b = np.clip(np.ceil(conf * bins) - 1, 0, bins - 1).astype(int)
    e = 0.0
    for m in range(bins):
        sel = b == m
        if sel.any():
            e += abs((pred[sel] == y[sel]).sum() - conf[sel].sum()) / len(y)
    return e


def proba_at(T):
    s = Z / T
    e = np.exp(s - s.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


res = minimize_scalar(nll, bounds=(np.log(0.01), np.log(100)), method="bounded", options={"xatol": 1e-12})
T = float(np.exp(res.x))
out["temperature"] = {"n": nt, "k": kt, "logits": R(Z.ravel()), "y": [int(v) for v in yt], "temperature": round(T, 10),
                      "nllBefore": round(nll(0.0), 10), "nllAfter": round(nll(res.x), 10),
                      "eceBefore": round(ece(proba_at(1.0), yt), 10), "eceAfter": round(ece(proba_at(T), yt), 10)}

# 5. multi-class metrics: 40 rows, 4 classes, noisy probabilities (with ties)
rng = np.random.RandomState(11)
nm, km = 40, 4
ym = np.r_[np.arange(km), rng.randint(0, km, nm - km)]
S = rng.rand(nm, km) + 0.8 * np.eye(km)[ym]
S[::7] = 0.25  # some rows all tied
S = np.round(S / S.sum(1, keepdims=True), 3)
S[:, -1] = 1 - S[:, :-1].sum(1)
pm = S.argmax(1)
out["metrics"] = {"k": km, "truth": [int(v) for v in ym], "proba": R(S.ravel()), "pred": [int(v) for v in pm],
                  "balancedAccuracy": round(balanced_accuracy_score(ym, pm), 10),
                  "macroF1": round(f1_score(ym, pm, average="macro", zero_division=0), 10),
                  "aucPerClass": R([roc_auc_score(ym == c, S[:, c]) for c in range(km)]),
                  "aucMacro": round(roc_auc_score(ym, S, multi_class="ovr", average="macro"), 10)}

# 6. cosine neighbours and leave-one-out k-th NN distance (numpy, brute force)
rng = np.random.RandomState(5)
nn_, dn = 30, 6
Xn = rng.randn(nn_, dn)
q = rng.randn(dn)
unit = Xn / np.linalg.norm(Xn, axis=1, keepdims=True)
sim = unit @ (q / np.linalg.norm(q))
order = np.argsort(-sim, kind="stable")[:5]
S2 = unit @ unit.T
np.fill_diagonal(S2, -np.inf)
kk = 3
loo = np.sort(1 - np.sort(S2, axis=1)[:, ::-1][:, kk - 1])
qd = np.sort(1 - sim)[kk - 1]
out["neighbors"] = {"n": nn_, "d": dn, "X": R(Xn.ravel()), "query": R(q), "top5": [int(i) for i in order], "top5Similarity": R(sim[order]),
                    "k": kk, "quantile": 0.9, "trainDistances": R(loo), "threshold": round(float(np.quantile(loo, 0.9)), 10),
                    "queryDistance": round(float(qd), 10), "queryPercentile": round(float(100 * np.mean(loo <= qd)), 10)}
print(json.dumps(out))
