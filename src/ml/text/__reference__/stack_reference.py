#!/usr/bin/python3
"""Reference values for src/ml/text/stack.test.ts (issue 18), computed independently of the TypeScript code:
NB log-count ratios by numpy, and NB-LR = scikit-learn LogisticRegression(solver='liblinear', C, intercept_scaling=1)
fitted on X * r per label, whose coefficients times r are the weights on X. Run: /usr/bin/python3 stack_reference.py
(scikit-learn 1.2.1) and paste the printed JSON into the test."""
import json
import numpy as np
from sklearn.linear_model import LogisticRegression

X = np.array([[0.5, 0.0, 0.8, 0.1], [0.0, 0.6, 0.0, 0.8], [0.7, 0.2, 0.0, 0.0], [0.0, 0.0, 0.9, 0.4],
              [0.3, 0.9, 0.0, 0.0], [0.0, 0.4, 0.6, 0.0], [0.8, 0.0, 0.0, 0.6], [0.2, 0.7, 0.3, 0.0]])
Y = np.array([[1, 0], [0, 1], [1, 0], [1, 1], [0, 1], [0, 0], [1, 0], [0, 1]])
C = 2.0
ratios, weights, intercepts = [], [], []
for l in range(Y.shape[1]):
    y = Y[:, l]
    p = 1 + X[y == 1].sum(0)
    q = 1 + X[y == 0].sum(0)
    r = np.log((p / p.sum()) / (q / q.sum()))
    m = LogisticRegression(C=C, solver='liblinear', tol=1e-10, max_iter=10000).fit(X * r, y)
    ratios.append(r.round(6).tolist())
    weights.append((m.coef_[0] * r).round(5).tolist())
    intercepts.append(round(float(m.intercept_[0]), 5))
print(json.dumps({'X': X.tolist(), 'Y': Y.tolist(), 'C': C, 'ratios': ratios, 'weights': weights, 'intercepts': intercepts}))
