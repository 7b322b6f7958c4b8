/**
 * The shape features (issue 18, text.tune stackShape): the fast char-code path equals the plain definition below
 * (written out with regular expressions and per-character case calls, as bench/quality.case.ts first measured it) on
 * hand-made texts, non-ASCII ones included, and on every text of jigsaw-10k when the shared data is there; the block
 * standardises with the training texts' mean and population sd (hand-computed), stores and reloads them.
 */
import { describe, expect, it } from 'vitest';
import { loadJigsaw10k } from '../__reference__/sharedData.ts';
import { SHAPE_FEATURES, SHAPE_WIDTH, ShapeBlock, shapeOf } from './shape.ts';

/** The definition, character by character (the reference the fast path must equal). */
function reference(text: string): number[] {
  let letters = 0, upper = 0, excl = 0, quest = 0, punct = 0, stretched = 0, run = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!, lo = ch.toLowerCase(), up = ch.toUpperCase();
    if (lo !== up) {
      letters++;
      if (ch === up) upper++;
    } else if (ch === '!') excl++;
    else if (ch === '?') quest++;
    else if (!/[\s\d]/.test(ch)) punct++;
    if (i > 0 && ch === text[i - 1]) {
      if (++run === 3) stretched++;
    } else run = 1;
  }
  const words = text.match(/\p{L}{2,}/gu) ?? [];
  const capsWords = words.filter((w) => w === w.toUpperCase() && w !== w.toLowerCase()).length;
  return [letters ? upper / letters : 0, words.length ? capsWords / words.length : 0, Math.log1p(excl), Math.log1p(quest), Math.log1p(text.length), Math.log1p(stretched), text.length ? punct / text.length : 0];
}

const TEXTS = [
  '', 'a', 'A', 'YOU are SOOO dumb!!! ok?', 'no... really?? 123 4\t5\n', 'I AM A', 'x1Y2 ZZ9 __init__ e-mail',
  'ÉCOLE ça!!', 'straße STRASSE ß', '日本語のテキスト!!', 'emoji 😀😀😀 ok', 'naïve CAFÉ\u00a0bar', 'ĲSSELMEER', 'ǅungla Ǆ',
  'aaa bbbb', 'zzz!!!???', '   ', 'MIXed WoRdS', "don't WON'T", 'ﬁne ﬂoor', '\u2028line\u2029', 'Ωμέγα ΩΜΕΓΑ',
];

describe('shapeOf', () => {
  it('equals the character-by-character definition on hand-made texts (ASCII and not)', () => {
    for (const t of TEXTS) expect(Array.from(shapeOf(t)), JSON.stringify(t)).toEqual(reference(t));
  });

  it('counts capitals, all-caps words, marks, length and stretched letters (hand-computed)', () => {
    const [caps, capsWords, excl, quest, len, stretched, punct] = shapeOf('YOU are SOOO dumb!!! ok?');
    expect(caps).toBeCloseTo(7 / 16, 12); // Y O U S O O O of 16 letters
    expect(capsWords).toBeCloseTo(2 / 5, 12); // YOU, SOOO of you/are/sooo/dumb/ok
    expect(excl).toBeCloseTo(Math.log1p(3), 12);
    expect(quest).toBeCloseTo(Math.log1p(1), 12);
    expect(len).toBeCloseTo(Math.log1p(24), 12);
    expect(stretched).toBeCloseTo(Math.log1p(2), 12); // 'OOO' and '!!!'
    expect(punct).toBe(0);
    expect(Array.from(shapeOf(''))).toEqual(SHAPE_FEATURES.map(() => 0));
  });

  const data = loadJigsaw10k();
  it.skipIf(!data)('equals the definition on every jigsaw-10k comment', () => {
    let nonAscii = 0;
    for (const t of data!.texts) {
      if ([...t].some((ch) => ch.charCodeAt(0) > 127)) nonAscii++;
      const got = Array.from(shapeOf(t)), want = reference(t);
      if (got.some((v, c) => v !== want[c])) expect(got, t).toEqual(want);
    }
    expect(nonAscii).toBeGreaterThan(0); // both paths ran
  }, 60_000);
  if (!data) it.skip('jigsaw shape test skipped: /work/shared/data/jigsaw-toxic-balanced-10k is absent (set SAGEBRUSH_SHARED_DATA)', () => {});
});

describe('ShapeBlock', () => {
  const texts = ['A', 'bb', 'CCC ok', 'dddd!'];

  it('standardises with the training texts\' mean and population sd; a constant feature stays 0', () => {
    const block = ShapeBlock.fit(texts), E = SHAPE_WIDTH;
    // hand-computed: lengths 1, 2, 6, 5 → log1p mean and population sd
    const lens = [1, 2, 6, 5].map(Math.log1p), m = lens.reduce((a, b) => a + b) / 4, sd = Math.sqrt(lens.reduce((a, b) => a + (b - m) ** 2, 0) / 4);
    const L = SHAPE_FEATURES.indexOf('length');
    expect(block.mean[L]).toBeCloseTo(m, 12);
    expect(block.sd[L]).toBeCloseTo(sd, 12);
    const X = block.transform(texts);
    expect(X.nRows).toBe(4);
    expect(X.nCols).toBe(E);
    expect(Array.from(X.indptr)).toEqual([0, 7, 14, 21, 28]);
    for (let i = 0; i < 4; i++) expect(X.data[i * E + L]).toBeCloseTo((lens[i]! - m) / sd, 6);
    const Q = SHAPE_FEATURES.indexOf('questions'); // no '?' anywhere
    expect(texts.map((_, i) => X.data[i * E + Q])).toEqual([0, 0, 0, 0]);
    // a new text uses the training statistics
    const vals = new Float32Array(E);
    block.fill('hello?', vals);
    expect(vals[L]).toBeCloseTo((Math.log1p(6) - m) / sd, 6);
    expect(vals[Q]).toBe(0);
  });

  it('fitTransform gives fit\'s statistics and transform\'s rows, and every row is what fill gives', () => {
    const more = [...texts, 'WHY?!? sooo bad...', '', 'Ünïcödé ÉCRIT', '  spaced   out  '];
    const { block, matrix } = ShapeBlock.fitTransform(more), fitted = ShapeBlock.fit(more), E = SHAPE_WIDTH;
    expect(Array.from(block.mean)).toEqual(Array.from(fitted.mean));
    expect(Array.from(block.sd)).toEqual(Array.from(fitted.sd));
    const X = fitted.transform(more);
    expect(Array.from(matrix.data)).toEqual(Array.from(X.data));
    expect(Array.from(matrix.indices)).toEqual(Array.from(X.indices));
    expect(Array.from(matrix.indptr)).toEqual(Array.from(X.indptr));
    const vals = new Float32Array(E);
    more.forEach((t, i) => {
      fitted.fill(t, vals);
      expect(Array.from(X.data.subarray(i * E, (i + 1) * E))).toEqual(Array.from(vals));
    });
  });

  it('is stored and reloaded exactly, and refuses stored features that are not this build\'s', () => {
    const block = ShapeBlock.fit(texts), json = JSON.parse(JSON.stringify(block.toJSON()));
    const back = ShapeBlock.fromJSON(json);
    expect(Array.from(back.mean)).toEqual(Array.from(block.mean));
    expect(Array.from(back.sd)).toEqual(Array.from(block.sd));
    expect(() => ShapeBlock.fromJSON({ ...json, features: [...json.features].reverse() })).toThrow(/not this build's/);
    expect(() => ShapeBlock.fromJSON({ ...json, mean: json.mean.slice(1) })).toThrow(/finite mean and sd/);
  });
});
