#!/usr/bin/python3
"""Reference values for src/ml/text/tokenize.test.ts: scikit-learn's own analyzers on tricky strings.
Run: /usr/bin/python3 src/ml/__reference__/tokenize_reference.py  (Debian python3-sklearn 1.2.1, Python 3.11)"""
import json
import sklearn
from sklearn.feature_extraction.text import CountVectorizer

DOCS = [
    "Hello, World! It's a test_case 123 a1 x",
    "  leading and   multiple   spaces\tand\ttabs\nnewline ",
    "Ünïcödé naïve café — 東京 タワー",
    "emoji 😀 smile😀face 👍🏽 𝐀𝐁c",
    "a b c d",
    "",
    " ",
    "don't stop-me now_please 3.14 x86_64",
    "İstanbul ΣΊΣΥΦΟΣ",
    "e\u0301cole",
    "\u00a0nbsp\u00a0sep \u200bzero width",
    "\x1cfs\x1dgs \ufeffbom",
    "ab",
]
word = CountVectorizer(ngram_range=(1, 2)).build_analyzer()
tokens = CountVectorizer().build_analyzer()
char = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()
char45 = CountVectorizer(analyzer="char_wb", ngram_range=(4, 5)).build_analyzer()
print(json.dumps({"sklearn": sklearn.__version__, "docs": DOCS,
                  "tokens": [tokens(d) for d in DOCS], "word12": [word(d) for d in DOCS],
                  "charwb25": [char(d) for d in DOCS], "charwb45": [char45(d) for d in DOCS]}, ensure_ascii=True))
