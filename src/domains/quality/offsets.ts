/**
 * Per-class score offsets for multi-class models (the `offsets` of the decision rule: the class is the argmax of
 * score + offset), tuned on out-of-fold scores to maximise macro F-beta. Coordinate ascent with an exact line
 * search: with every other offset fixed, row i picks class j exactly when o_j exceeds its margin
 * m_i = max_{k≠j}(s_ik + o_k) − s_ij, so sweeping o_j over the sorted margins visits every distinct decision and
 * updates the per-class counts one row at a time. Offsets stay in the rule's range [−1, 1]; among equally good
 * values the one nearest 0 wins, so a class whose offset does not matter keeps 0.
 */
const LIMIT = 1;

export interface OffsetTuning {
  /** null when no offsets beat plain argmax on the out-of-fold scores. */
  offsets: number[] | null;
  /** Macro F-beta of argmax (before) and of argmax with the offsets (after), on the scores tuned on. */
  before: number;
  after: number;
}

function fBeta(tp: number, fp: number, fn: number, b2: number): number {
  const den = (1 + b2) * tp + b2 * fn + fp;
  return den === 0 ? 0 : ((1 + b2) * tp) / den;
}

/** Per-class counts of the decisions argmax(score + offset). */
function counts(scores: ArrayLike<number>, truth: Int32Array, n: number, off: Float64Array) {
  const rows = truth.length, tp = new Float64Array(n), fp = new Float64Array(n), fn = new Float64Array(n);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let j = 1; j < n; j++) if (scores[i * n + j]! + off[j]! > scores[i * n + best]! + off[best]!) best = j;
    if (best === truth[i]) tp[best]++;
    else { fp[best]++; fn[truth[i]!]++; }
  }
  return { tp, fp, fn };
}

function macro(c: { tp: Float64Array; fp: Float64Array; fn: Float64Array }, b2: number): number {
  let s = 0;
  for (let j = 0; j < c.tp.length; j++) s += fBeta(c.tp[j]!, c.fp[j]!, c.fn[j]!, b2);
  return s / c.tp.length;
}

/** The best offset of class j with the others fixed (exact over every distinct decision), and its macro F-beta. */
function lineSearch(scores: ArrayLike<number>, truth: Int32Array, n: number, off: Float64Array, j: number, b2: number): { value: number; score: number } {
  const rows = truth.length, margin = new Float64Array(rows), other = new Int32Array(rows);
  const tp = new Float64Array(n), fp = new Float64Array(n), fn = new Float64Array(n);
  // start: o_j below every margin, so every row picks its best other class
  for (let i = 0; i < rows; i++) {
    let c = j === 0 ? 1 : 0;
    for (let k = 0; k < n; k++) if (k !== j && scores[i * n + k]! + off[k]! > scores[i * n + c]! + off[c]!) c = k;
    other[i] = c;
    margin[i] = scores[i * n + c]! + off[c]! - scores[i * n + j]!;
    if (c === truth[i]) tp[c]++;
    else { fp[c]++; fn[truth[i]!]++; }
  }
  const order = Array.from({ length: rows }, (_, i) => i).sort((a, b) => margin[a]! - margin[b]!);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += fBeta(tp[k]!, fp[k]!, fn[k]!, b2);
  const F = (k: number) => fBeta(tp[k]!, fp[k]!, fn[k]!, b2);
  let best = { value: NaN, score: -Infinity };
  // with the p rows of smallest margin switched to j, o_j lies in (margin of row p−1, margin of row p]
  for (let p = 0; p <= rows; p++) {
    if (p > 0) {
      const i = order[p - 1]!, c = other[i]!, t = truth[i]!;
      sum -= F(c) + F(j);
      if (c === t) tp[c]--; else { fp[c]--; fn[t]--; }
      if (j === t) tp[j]++; else { fp[j]++; fn[t]++; }
      sum += F(c) + F(j);
    }
    const lo = p > 0 ? margin[order[p - 1]!]! : -Infinity, hi = p < rows ? margin[order[p]!]! : Infinity;
    if (hi === lo || lo >= LIMIT) continue; // tied rows switch together; past the range nothing is reachable
    if (hi < -LIMIT) continue;
    const value = lo < 0 && 0 < hi ? 0 : Math.min(LIMIT, Math.max(-LIMIT, lo === -Infinity ? hi - 1e-3 : hi === Infinity ? lo + 1e-3 : (lo + hi) / 2));
    if (!(value > lo && value <= hi)) continue;
    const score = sum / n;
    if (score > best.score + 1e-12 || (Math.abs(score - best.score) <= 1e-12 && Math.abs(value) < Math.abs(best.value))) best = { value, score };
  }
  return best;
}

/** Offsets maximising macro F-beta (beta 1 unless given) of argmax(score + offset) on `scores` (rows × n, one-hot truth). */
export function tuneOffsets(scores: ArrayLike<number>, truthOneHot: ArrayLike<number>, n: number, beta = 1, rounds = 3): OffsetTuning {
  const rows = Math.floor(scores.length / n), truth = new Int32Array(rows), b2 = beta * beta;
  for (let i = 0; i < rows; i++) for (let j = 0; j < n; j++) if (truthOneHot[i * n + j]) truth[i] = j;
  const off = new Float64Array(n);
  const before = macro(counts(scores, truth, n, off), b2);
  let current = before;
  for (let r = 0; r < rounds; r++) {
    let improved = false;
    for (let j = 0; j < n; j++) {
      const { value, score } = lineSearch(scores, truth, n, off, j, b2);
      if (score > current + 1e-12) { off[j] = value; current = score; improved = true; }
    }
    if (!improved) break;
  }
  const after = macro(counts(scores, truth, n, off), b2);
  return after > before + 1e-12 ? { offsets: Array.from(off), before, after } : { offsets: null, before, after: before };
}
