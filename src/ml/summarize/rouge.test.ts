import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lcsIndices, lcsLength, rouge, rougeLsum, rougeN, rougeTokens, truncateWords } from './rouge.ts';

const CAND = 'The cat sat on the mat.';
const REF = 'the cat lay on the red mat';

describe('ROUGE tokenisation (rouge_score conventions)', () => {
  it('lower-cases, splits on every non-alphanumeric run, keeps digits, drops non-ASCII letters', () => {
    expect(rougeTokens('The T. cruzi-infected cells (n = 12), α-helix <dig>!')).toEqual(['the', 't', 'cruzi', 'infected', 'cells', 'n', '12', 'helix', 'dig']);
    expect(rougeTokens('  ...  ')).toEqual([]);
  });
});

describe('ROUGE-N, hand-computed', () => {
  it('ROUGE-1 of "the cat sat on the mat" vs "the cat lay on the red mat"', () => {
    // candidate unigrams (6): the×2 cat sat on mat; reference (7): the×2 cat lay on red mat.
    // clipped overlap: the 2 + cat 1 + on 1 + mat 1 = 5 → P = 5/6, R = 5/7,
    // F = 2·(5/6)(5/7) / (5/6 + 5/7) = (50/42) / (65/42) = 10/13.
    const r = rouge(CAND, REF).rouge1;
    expect(r.precision).toBeCloseTo(5 / 6, 12);
    expect(r.recall).toBeCloseTo(5 / 7, 12);
    expect(r.f1).toBeCloseTo(10 / 13, 12);
  });

  it('ROUGE-2 of the same pair', () => {
    // candidate bigrams (5): the cat, cat sat, sat on, on the, the mat;
    // reference bigrams (6): the cat, cat lay, lay on, on the, the red, red mat.
    // overlap: "the cat", "on the" = 2 → P = 2/5, R = 2/6, F = 2·(2/5)(1/3) / (2/5 + 1/3) = (4/15) / (11/15) = 4/11.
    const r = rouge(CAND, REF).rouge2;
    expect(r.precision).toBeCloseTo(2 / 5, 12);
    expect(r.recall).toBeCloseTo(1 / 3, 12);
    expect(r.f1).toBeCloseTo(4 / 11, 12);
  });

  it('clips repeated n-grams to the reference count', () => {
    // candidate "the the the" has the bigram "the the" twice; the reference "the the" once → overlap 1,
    // P = 1/2, R = 1/1, F = 2·(1/2)·1 / (3/2) = 2/3.
    const r = rougeN(['the', 'the', 'the'], ['the', 'the'], 2);
    expect(r.precision).toBeCloseTo(0.5, 12);
    expect(r.recall).toBe(1);
    expect(r.f1).toBeCloseTo(2 / 3, 12);
  });

  it('is 0 (not NaN) for empty or too-short texts', () => {
    expect(rouge('', REF).rouge1.f1).toBe(0);
    expect(rouge('cat', 'cat').rouge2).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(rouge('cat', 'cat').rouge1.f1).toBe(1);
  });
});

describe('ROUGE-L, hand-computed', () => {
  it('LCS of the pair is "the cat on the mat" (5 tokens)', () => {
    // P = 5/6, R = 5/7, F = 10/13 — the same as ROUGE-1 here by coincidence of the counts.
    expect(lcsLength(rougeTokens(CAND), rougeTokens(REF))).toBe(5);
    const r = rouge(CAND, REF).rougeL;
    expect(r.precision).toBeCloseTo(5 / 6, 12);
    expect(r.recall).toBeCloseTo(5 / 7, 12);
    expect(r.f1).toBeCloseTo(10 / 13, 12);
  });

  it('word order matters for ROUGE-L, not for ROUGE-1', () => {
    // "mat the on sat cat the" vs "the cat lay on the red mat": the longest common subsequence is
    // "the on the" (candidate positions 2, 3, 6; reference 1, 4, 5) → LCS = 3, P = 3/6, R = 3/7.
    const r = rouge('mat the on sat cat the', REF);
    expect(r.rouge1.f1).toBeCloseTo(10 / 13, 12);
    expect(r.rougeL.precision).toBeCloseTo(3 / 6, 12);
    expect(r.rougeL.recall).toBeCloseTo(3 / 7, 12);
  });

  it("summary-level union LCS (Lin 2004 §3.2's example)", () => {
    // reference sentence r = w1 w2 w3 w4 w5; candidate sentences c1 = w1 w2 w6 w7 w8, c2 = w1 w3 w8 w9 w5.
    // LCS(r, c1) = w1 w2; LCS(r, c2) = w1 w3 w5; union = w1 w2 w3 w5 → 4 hits (each token available on both sides).
    // m = 5 reference tokens, n = 10 candidate tokens: R = 4/5, P = 4/10, F = 2·0.8·0.4 / 1.2 = 8/15.
    const ref = [['w1', 'w2', 'w3', 'w4', 'w5']];
    const can = [['w1', 'w2', 'w6', 'w7', 'w8'], ['w1', 'w3', 'w8', 'w9', 'w5']];
    expect(lcsIndices(ref[0]!, can[0]!)).toEqual([0, 1]);
    expect(lcsIndices(ref[0]!, can[1]!)).toEqual([0, 2, 4]);
    const r = rougeLsum(can, ref);
    expect(r.recall).toBeCloseTo(4 / 5, 12);
    expect(r.precision).toBeCloseTo(4 / 10, 12);
    expect(r.f1).toBeCloseTo(8 / 15, 12);
    // rouge() reads sentences from lines.
    expect(rouge('w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5', 'w1 w2 w3 w4 w5').rougeLsum.f1).toBeCloseTo(8 / 15, 12);
  });
});

describe('evaluation helpers', () => {
  it('truncateWords keeps the first N whitespace words and the line breaks between them', () => {
    expect(truncateWords('a b\nc d e', 3)).toBe('a b\nc');
    expect(truncateWords('a b', 5)).toBe('a b');
    expect(truncateWords('a b', 0)).toBe('');
  });
});

// Cross-check against Google's rouge_score when the Python package is installed (it is not on every machine,
// and we do not install it from PyPI).
const hasRougeScore = (() => {
  try {
    execFileSync('python3', ['-c', 'import rouge_score'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
describe.skipIf(!hasRougeScore)('agrees with rouge_score (python3 -c "import rouge_score")', () => {
  it('on a few pairs', () => {
    const pairs = [
      [CAND, REF],
      ['police killed the gunman\nthe gunman was shot', 'police kill the gunman\nthe police shot him dead'],
      ['In 2012, 45% of t. cruzi-infected cells died.', 'forty-five percent of infected cells died in 2012'],
    ];
    const script = `import json,sys\nfrom rouge_score import rouge_scorer\ns=rouge_scorer.RougeScorer(['rouge1','rouge2','rougeL','rougeLsum'],use_stemmer=False)\nout=[]\nfor c,r in json.load(sys.stdin):\n  x=s.score(r,c)\n  out.append({k:v.fmeasure for k,v in x.items()})\nprint(json.dumps(out))`;
    const py = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(pairs) }).toString()) as Array<Record<string, number>>;
    pairs.forEach(([c, r], i) => {
      const ours = rouge(c!, r!);
      expect(ours.rouge1.f1).toBeCloseTo(py[i]!.rouge1!, 6);
      expect(ours.rouge2.f1).toBeCloseTo(py[i]!.rouge2!, 6);
      expect(ours.rougeL.f1).toBeCloseTo(py[i]!.rougeL!, 6);
      expect(ours.rougeLsum.f1).toBeCloseTo(py[i]!.rougeLsum!, 6);
    });
  });
});
