#!/usr/bin/python3
"""Reference values for src/ml/text/vocabulary.test.ts: TfidfVectorizer vocabulary, idf and tf-idf values.
Run: /usr/bin/python3 src/ml/__reference__/tfidf_reference.py > src/ml/__reference__/tfidf_reference.json
(Debian python3-sklearn 1.2.1). max_features values are chosen where the count ranking has no tie at the cut,
because numpy's argsort order among equal counts is unspecified."""
import json
import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

TRAIN = [
    "The quick brown fox jumps over the lazy dog.",
    "The lazy dog sleeps; the quick cat doesn't.",
    "A quick brown dog and a quick brown fox!",
    "Foxes and dogs: friends or foes? The fox knows.",
    "Nothing to see here, move along.",
    "Café au lait, café noir — the café is open.",
    "DOG dog Dog dOg",
    "brown brown brown fox fox",
    "Is the quick fox quicker than the lazy dog?",
    "emoji 😀 here and 😀 there, quick quick",
    "x y z",
    "Lazy afternoons with a lazy dog and a brown cat.",
]
TEST = ["the quick brown fox", "unknown words only zzz", "café dog café", ""]

def dump(vec):
    Xtr = vec.fit_transform(TRAIN)
    Xte = vec.transform(TEST)
    terms = vec.get_feature_names_out()
    rows = lambda X: [{str(terms[j]): round(float(X[i, j]), 7) for j in X[i].nonzero()[1]} for i in range(X.shape[0])]
    return {"idf": {str(t): round(float(v), 7) for t, v in zip(terms, vec.idf_)}, "train": rows(Xtr), "test": rows(Xte)}

def untied_limit(vec_kwargs, target):
    """Largest max_features ≤ target whose cut does not fall inside a tie of total counts."""
    full = TfidfVectorizer(**vec_kwargs)
    from sklearn.feature_extraction.text import CountVectorizer
    c = CountVectorizer(**{k: v for k, v in vec_kwargs.items() if k != "sublinear_tf"}).fit_transform(TRAIN)
    tfs = np.sort(np.asarray(c.sum(axis=0)).ravel())[::-1]
    for k in range(target, 0, -1):
        if k < len(tfs) and tfs[k - 1] != tfs[k]:
            return k
    return target

out = {"sklearn": sklearn.__version__, "train": TRAIN, "test": TEST}
word = dict(sublinear_tf=True, ngram_range=(1, 2), min_df=2)
char = dict(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), min_df=2)
out["word"] = dump(TfidfVectorizer(**word))
out["char"] = dump(TfidfVectorizer(**char))
wl, cl = untied_limit(word, 10), untied_limit(char, 60)
out["wordLimited"] = {"maxFeatures": wl, **dump(TfidfVectorizer(max_features=wl, **word))}
out["charLimited"] = {"maxFeatures": cl, **dump(TfidfVectorizer(max_features=cl, **char))}
out["wordRawTf"] = dump(TfidfVectorizer(sublinear_tf=False, min_df=1))
print(json.dumps(out, ensure_ascii=True))
