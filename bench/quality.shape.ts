/**
 * Per-document shape features the lowercasing vectorizers cannot see (issue 18; bench/quality.case.ts measures them as
 * combiner inputs — not a product option: they are not n-gram columns and do not fold into one linear model): shouting in capitals, '!' runs
 * and stretched letters are known toxic / severe_toxic signals on Jigsaw. Counts are log1p'd (heavy tails); each
 * column is standardised over the texts given, so an L2-penalised combiner treats them like its logit inputs.
 */

export const SHAPE_FEATURES = ['capsShare', 'capsWordShare', 'exclamations', 'questions', 'length', 'stretched', 'punctShare'] as const;

/** Raw shape features of one text, in SHAPE_FEATURES order. */
export function shapeOf(text: string): number[] {
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
  return [
    letters ? upper / letters : 0, words.length ? capsWords / words.length : 0, Math.log1p(excl), Math.log1p(quest),
    Math.log1p(text.length), Math.log1p(stretched), text.length ? punct / text.length : 0,
  ];
}

/** rows × SHAPE_FEATURES.length, each column standardised (mean 0, sd 1; a constant column stays 0). */
export function shapeFeatures(texts: readonly string[]): Float32Array {
  const E = SHAPE_FEATURES.length, N = texts.length, raw = new Float64Array(N * E);
  texts.forEach((t, i) => raw.set(shapeOf(t), i * E));
  const out = new Float32Array(N * E);
  for (let c = 0; c < E; c++) {
    let m = 0, s = 0;
    for (let i = 0; i < N; i++) m += raw[i * E + c]!;
    m /= N || 1;
    for (let i = 0; i < N; i++) s += (raw[i * E + c]! - m) ** 2;
    const sd = Math.sqrt(s / (N || 1));
    for (let i = 0; i < N; i++) out[i * E + c] = sd > 0 ? (raw[i * E + c]! - m) / sd : 0;
  }
  return out;
}
