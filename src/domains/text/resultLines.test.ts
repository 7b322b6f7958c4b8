import { describe, expect, it } from 'vitest';
import { ESCAPED_LABELS, TIE_ROWS } from './testing/scoreRows.ts';
import { toResult, type DecisionRule } from './comprehend.ts';
import { ResultLineWriter, warmUpResultLines } from './resultLines.ts';

describe('ResultLineWriter (batch output lines as bytes)', () => {
  // ties, ties after rounding, 0, 1, values at the threshold, and a score the rounding table does not hold (NaN)
  const rows = TIE_ROWS;
  const scores = Float32Array.from(rows.flat());
  const labels = [...ESCAPED_LABELS];
  const rules: DecisionRule[] = [
    { mode: 'multi-label', labels }, { mode: 'multi-label', labels, thresholds: [0.3, 0.5, 0.2, 0.9, 0.1, 0.5, 0.2] },
    { mode: 'multi-class', labels }, { mode: 'multi-class', labels, offsets: [0, 0.3, 0, 0, 0, 0, -0.1] }, { mode: 'multi-class', labels, abstainBelow: 0.6 },
  ];

  it('writes exactly the JSON Lines that JSON.stringify of toResult gives, error lines in between', () => {
    for (const rule of rules) {
      const w = new ResultLineWriter(rule), expected: string[] = [];
      for (let i = 0; i < rows.length; i++) {
        const head = { File: `dös ${i}.txt`, Line: String(i) }, r = toResult(scores, i * 7, rule), key = rule.mode === 'multi-class' ? 'Classes' : 'Labels';
        w.line(scores, i * 7, `${JSON.stringify(head).slice(0, -1)},`);
        expected.push(JSON.stringify({ ...head, [key]: r[key], Predicted: r.Predicted }));
        const error = JSON.stringify({ File: 'x', ErrorCode: 'EMPTY_DOCUMENT', ErrorMessage: 'the document is empty' });
        w.raw(error);
        expected.push(error);
      }
      expect(w.bytes().toString('utf8')).toBe(`${expected.join('\n')}\n`);
    }
  });

  it('grows its buffer across many lines and prints every 4-decimal score as JSON does', () => {
    const rule: DecisionRule = { mode: 'multi-label', labels: ['a'] }, w = new ResultLineWriter(rule), expected: string[] = [];
    for (let k = 0; k <= 10000; k++) {
      const s = Float32Array.of(k / 1e4), r = toResult(s, 0, rule);
      w.line(s, 0, '{');
      expected.push(JSON.stringify({ Labels: r.Labels, Predicted: r.Predicted }));
    }
    expect(w.bytes().toString('utf8')).toBe(`${expected.join('\n')}\n`);
  });

  it('sized for the expected number of lines, writes them all into one buffer (no growth), with the same bytes', () => {
    const rule: DecisionRule = { mode: 'multi-label', labels: [...ESCAPED_LABELS] }, n = 3000;
    const sized = new ResultLineWriter(rule, n), plain = new ResultLineWriter(rule);
    sized.line(scores, 0, '{');
    const first = sized.bytes().buffer;
    for (let i = 0; i < n; i++) {
      const at = (i % rows.length) * 7;
      if (i > 0) sized.line(scores, at, `{"Line":${i},`);
      plain.line(scores, at, i > 0 ? `{"Line":${i},` : '{');
    }
    expect(sized.bytes().buffer).toBe(first);
    expect(sized.bytes().equals(plain.bytes())).toBe(true);
    expect(plain.bytes().length).toBeGreaterThan(1 << 16);
  });
});

describe('warmUpResultLines (the line writer\'s JIT warm-up, run by the scoring pool\'s start)', () => {
  it('writes lines of every rule shape, and the writer then still writes exactly JSON.stringify\'s lines for rules read from JSON', () => {
    expect(warmUpResultLines()).toBeGreaterThan(100_000);
    const scores = Float32Array.from(TIE_ROWS.flat());
    // a model's rule as a loaded model has it: strings from JSON.parse, not literals
    const loaded = JSON.parse(JSON.stringify([
      { mode: 'multi-label', labels: ESCAPED_LABELS }, { mode: 'multi-label', labels: ESCAPED_LABELS, thresholds: [0.3, null, 0.2, 0.9, 0.1, 0.5, 0.2] },
      { mode: 'multi-class', labels: ESCAPED_LABELS, offsets: [0, 0.3, 0, 0, 0, 0, -0.1], abstainBelow: 0.6 },
    ])) as DecisionRule[];
    for (const rule of loaded) {
      const w = new ResultLineWriter(rule, 2), expected: string[] = [], key = rule.mode === 'multi-class' ? 'Classes' : 'Labels';
      for (let i = 0; i < TIE_ROWS.length; i++) {
        const r = toResult(scores, i * 7, rule);
        w.line(scores, i * 7, `{"Line":${i},`);
        expected.push(JSON.stringify({ Line: i, [key]: r[key], Predicted: r.Predicted }));
      }
      expect(w.bytes().toString('utf8')).toBe(`${expected.join('\n')}\n`);
    }
  });
});
