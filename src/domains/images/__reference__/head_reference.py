#!/usr/bin/python3
"""Reference values for the image head's C ensemble (src/domains/images/fit.test.ts): scikit-learn StandardScaler +
LogisticRegression(multinomial, lbfgs, class_weight='balanced') fitted at each C on the same rows, coefficients and
intercepts averaged (the ensemble is one linear head), and its probabilities on held-out rows.
Run: /usr/bin/python3 src/domains/images/__reference__/head_reference.py > src/domains/images/__reference__/head_reference.json
(Debian python3-sklearn 1.2.1). Inputs are written into the JSON with the expected outputs."""
import json
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

R = lambda a: np.round(np.asarray(a, dtype=float), 10).tolist()
rng = np.random.RandomState(11)
# wide like the image head (d > n), 3 imbalanced classes, plus 6 held-out rows
n, d, k = 30, 40, 3
y = np.r_[np.zeros(15), np.ones(10), np.full(5, 2)].astype(int)
centers = rng.randn(k, d) * 0.8
X = (centers[y] + rng.randn(n, d)).astype(np.float32)
yt = np.array([0, 1, 2, 0, 1, 2])
Xt = (centers[yt] + rng.randn(6, d)).astype(np.float32)
Cs = [0.01, 0.03, 0.1]
sc = StandardScaler().fit(X.astype(np.float64))
Z, Zt = sc.transform(X.astype(np.float64)), sc.transform(Xt.astype(np.float64))
coefs, intercepts = [], []
for C in Cs:
    clf = LogisticRegression(multi_class="multinomial", solver="lbfgs", C=C, class_weight="balanced", tol=1e-10, max_iter=100000).fit(Z, y)
    coefs.append(clf.coef_)
    intercepts.append(clf.intercept_ - clf.intercept_.mean())
coef, intercept = np.mean(coefs, axis=0), np.mean(intercepts, axis=0)
logits = Zt @ coef.T + intercept
proba = np.exp(logits - logits.max(1, keepdims=True))
proba /= proba.sum(1, keepdims=True)
print(json.dumps({
    "sklearn": sklearn.__version__, "n": n, "d": d, "k": k, "Cs": Cs, "X": R(X.ravel()), "y": y.tolist(), "Xtest": R(Xt.ravel()),
    "coef": R(coef.ravel()), "intercept": R(intercept), "proba": R(proba.ravel()),
}))
