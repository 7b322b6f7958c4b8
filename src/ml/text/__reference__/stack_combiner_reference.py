#!/usr/bin/python3
"""Reference values for src/ml/text/stackCombiner.test.ts (issue 18), computed independently of the TypeScript code:
the cross-label combiner is scikit-learn LogisticRegression(solver='liblinear', C, intercept_scaling=1) per label on
the logits Z of all labels; cross-fitted probabilities score the rows of fold f with a combiner fitted on the other
folds' rows. Run: /usr/bin/python3 stack_combiner_reference.py (scikit-learn 1.2.1) and paste the JSON into the test."""
import json
import numpy as np
from sklearn.linear_model import LogisticRegression

Z = np.array([[2.0, -1.0, 1.5, -0.5], [-1.5, 1.0, -1.0, 0.5], [1.0, 0.5, 0.2, 1.0], [-0.5, -1.5, -1.2, -1.0],
              [0.3, 2.0, 0.8, 1.8], [-2.0, -0.2, -1.7, 0.4], [1.2, 1.1, 0.1, 0.3], [-0.8, 0.6, 0.4, -0.6],
              [0.6, -0.9, 1.1, -1.3], [-1.1, 1.4, -0.3, 1.2]])
Y = np.array([[1, 0], [0, 1], [1, 1], [0, 0], [0, 1], [0, 0], [1, 1], [1, 0], [1, 0], [0, 1]])
folds = np.array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
C = 1.0
fit = lambda rows, l: LogisticRegression(C=C, solver='liblinear', tol=1e-10, max_iter=10000).fit(Z[rows], Y[rows, l])
coef, intercept, cross = [], [], np.zeros(Y.shape)
for l in range(Y.shape[1]):
    m = fit(np.arange(len(Z)), l)
    coef.append(m.coef_[0].round(5).tolist())
    intercept.append(round(float(m.intercept_[0]), 5))
    for f in range(2):
        cross[folds == f, l] = fit(folds != f, l).predict_proba(Z[folds == f])[:, 1]
print(json.dumps({'Z': Z.tolist(), 'Y': Y.tolist(), 'folds': folds.tolist(), 'C': C, 'coef': coef, 'intercept': intercept, 'cross': cross.round(5).tolist()}))
