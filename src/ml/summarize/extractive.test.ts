import { describe, expect, it } from 'vitest';
import { loadSumPubMed, sumpubmedMissing } from '../../domains/summarize/testing/sumpubmed.ts';
import { defaultBudget, summarizeExtractive } from './extractive.ts';
import { countWords, rouge, truncateWords } from './rouge.ts';
import { pagerank } from './textrank.ts';

const DOC = `Introduction
Coral reefs cover less than one percent of the ocean floor. Reefs support a quarter of all marine species [1]. Warming water causes coral bleaching. In this study, we measured bleaching on forty reefs over ten years.

Results
Bleaching increased on thirty of the forty reefs. Reefs in shallow water bleached most often. Recovery took five years on average (Fig. 2). Reefs near river mouths recovered more slowly.
Bleaching increased on most reefs during the decade.

Conclusions
Warming water is bleaching most reefs, and shallow reefs recover slowly. Protecting reefs from local stress may speed recovery.`;

describe('extractive summarizer', () => {
  it('picks whole sentences within the budget, in document order, favouring the conclusion and avoiding repeats', () => {
    const s = summarizeExtractive(DOC, { maxWords: 35 });
    expect(s.words).toBeGreaterThanOrEqual(35);
    expect(s.sentences.map((x) => x.index)).toEqual([...s.sentences.map((x) => x.index)].sort((a, b) => a - b));
    expect(s.summary).toContain('Warming water is bleaching most reefs');
    // The near-duplicate "Bleaching increased on …" sentences are not both chosen (MMR).
    expect(s.sentences.filter((x) => x.text.startsWith('Bleaching increased')).length).toBeLessThanOrEqual(1);
    expect(s.sentences.every((x) => DOC.includes(x.text))).toBe(true);
    expect(s.summary).not.toMatch(/^(Introduction|Results|Conclusions)$/m);
  });

  it('lead, centroid and textrank baselines run; lead takes the first sentences', () => {
    expect(summarizeExtractive(DOC, { maxWords: 10, method: 'lead' }).sentences[0]!.text).toBe('Coral reefs cover less than one percent of the ocean floor.');
    expect(summarizeExtractive(DOC, { maxWords: 20, method: 'centroid' }).words).toBeGreaterThanOrEqual(20);
    expect(summarizeExtractive(DOC, { maxWords: 20, method: 'textrank' }).words).toBeGreaterThanOrEqual(20);
  });

  it('handles empty and one-sentence documents', () => {
    expect(summarizeExtractive('', { maxWords: 10 }).summary).toBe('');
    expect(summarizeExtractive('Only one short line here.', { maxWords: 50 }).summary).toBe('Only one short line here.');
  });

  it('the default budget is 10 % of the words, between 50 and 400', () => {
    expect(defaultBudget(100)).toBe(50);
    expect(defaultBudget(2000)).toBe(200);
    expect(defaultBudget(50_000)).toBe(400);
  });

  it('PageRank of a symmetric graph: a star centre ranks first, ranks sum to 1', () => {
    // Node 0 linked to 1, 2, 3 with weight 1; leaves not linked to each other.
    const r = pagerank(4, (a, b) => (a === 0 || b === 0 ? 1 : 0));
    expect(r.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 9);
    // Closed form: each leaf sends all its rank to the centre, the centre splits its rank over 3 leaves:
    //   c = 0.15/4 + 0.85·3l,  l = 0.15/4 + 0.85·c/3
    //   → c = 0.0375 + 2.55·(0.0375 + 0.28333c) = 0.133125 + 0.7225c → c = 0.133125 / 0.2775 = 0.47973,
    //     l = 0.0375 + 0.28333·0.47973 = 0.17342 (and c + 3l = 1).
    expect(r[0]).toBeCloseTo(0.47973, 4);
    expect(r[1]).toBeCloseTo(0.17342, 4);
  });
});

const missing = sumpubmedMissing();
describe.skipIf(missing !== null)(`extractive quality on SumPubMed (first 30 articles)${missing ? ` — skipped: ${missing}` : ''}`, () => {
  it('beats the lead baseline by a wide margin on ROUGE-2 (summary cut to the abstract length)', () => {
    const arts = loadSumPubMed().slice(0, 30);
    let ours = 0;
    let lead = 0;
    for (const a of arts) {
      const n = countWords(a.abstract);
      ours += rouge(truncateWords(summarizeExtractive(a.text, { maxWords: n }).summary, n), a.abstract).rouge2.f1;
      lead += rouge(truncateWords(summarizeExtractive(a.text, { maxWords: n, method: 'lead' }).summary, n), a.abstract).rouge2.f1;
    }
    ours /= arts.length;
    lead /= arts.length;
    expect(ours).toBeGreaterThan(0.17);
    expect(ours - lead).toBeGreaterThan(0.05);
  }, 60_000);
});
