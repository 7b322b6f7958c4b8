/**
 * Exploration for issue 18 (not part of `npm run bench`): compares per-label threshold rules and per-label C on the
 * out-of-fold logits that quality.explore.ts saved (TRAIN only). Nested: rows are split 80/20 (5 ways × R seeds);
 * each rule chooses on the 80 % and is scored (macro F1) on the 20 %. Dev/test data is never read.
 * Usage: npx tsx bench/quality.rules.ts OOF.bin [R]. (Bootstrap-averaged and half-best-F thresholds were compared
 * here too and dropped — see thresholdRules.ts.)
 */
import { readFileSync } from 'node:fs';
import { mulberry32, permutation } from '../src/ml/index.ts';
import { chooseThresholdBy, type ThresholdRule } from '../src/domains/quality/thresholdRules.ts';

const [file = '/tmp/go_oof.bin', reps = '4'] = process.argv.slice(2);
const buf = readFileSync(file);
const hl = buf.readUInt32LE(0);
const h = JSON.parse(buf.subarray(4, 4 + hl).toString()) as { n: number; L: number; names: string[]; variants: string[] };
const { n, L } = h;
let off = 4 + hl;
const Y = new Uint8Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + n * L));
off += n * L;
const Z = h.variants.map((_, v) => new Float32Array(buf.buffer.slice(buf.byteOffset + off + v * n * L * 4, buf.byteOffset + off + (v + 1) * n * L * 4)));
const sig = (x: number) => 1 / (1 + Math.exp(-x));

function col(z: Float32Array, l: number, rows: ArrayLike<number>): { s: Float64Array; y: Uint8Array } {
  const s = new Float64Array(rows.length), y = new Uint8Array(rows.length);
  for (let r = 0; r < rows.length; r++) { s[r] = sig(z[rows[r]! * L + l]!); y[r] = Y[rows[r]! * L + l]!; }
  return { s, y };
}
function f1At(s: Float64Array, y: Uint8Array, t: number): number {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i]! >= t) { if (y[i]) tp++; else fp++; } else if (y[i]) fn++;
  }
  return tp ? (2 * tp) / (2 * tp + fp + fn) : 0;
}

const rules: { name: string; rule: ThresholdRule }[] = [
  { name: 'best (current)', rule: { kind: 'best' } },
  { name: 'smoothed 0.05', rule: { kind: 'smoothed', window: 0.05 } },
  { name: 'smoothed 0.1', rule: { kind: 'smoothed', window: 0.1 } },
  { name: 'smoothed 0.2', rule: { kind: 'smoothed', window: 0.2 } },
];
if (process.env.FAST) rules.splice(1, rules.length - 1, rules[2]!); // best + smoothed 0.1 only
const R = Number(reps);
const vC4 = Math.max(0, h.variants.indexOf('C=4'));
// per rule: sum of macro F1 over evaluations; per-label C: choose C by best F1 (rule 'best') on the tuning part
const sums = new Map<string, number>(), perLabel = new Map<string, Float64Array>();
const add = (k: string, f: Float64Array) => {
  sums.set(k, (sums.get(k) ?? 0) + f.reduce((a, b) => a + b, 0) / L);
  const p = perLabel.get(k) ?? new Float64Array(L);
  f.forEach((x, l) => { p[l] += x; });
  perLabel.set(k, p);
};
let evals = 0;
for (let r = 0; r < R; r++) {
  const order = permutation(n, mulberry32(100 + r));
  for (let part = 0; part < 5; part++) {
    const tune: number[] = [], score: number[] = [];
    order.forEach((i, pos) => (pos % 5 === part ? score : tune).push(i));
    evals++;
    for (const [vi, vname] of h.variants.entries()) {
      for (const { name, rule } of rules) {
        if (vi !== vC4 && name !== 'best (current)' && name !== 'smoothed 0.1') continue;
        const f = new Float64Array(L);
        for (let l = 0; l < L; l++) {
          const a = col(Z[vi]!, l, tune), b = col(Z[vi]!, l, score);
          f[l] = f1At(b.s, b.y, chooseThresholdBy(a.s, a.y, rule).threshold);
        }
        add(`${vname} | ${name}`, f);
      }
    }
    // per-label C chosen on the tuning part by its best-threshold F1 (rule 'smoothed 0.1' for both steps)
    for (const rn of ['best (current)', 'smoothed 0.1']) {
      const rule = rules.find((x) => x.name === rn)!.rule;
      const f = new Float64Array(L);
      for (let l = 0; l < L; l++) {
        let bestV = 0, bestF = -1, bestT = 0.5;
        for (let vi = 0; vi < Z.length; vi++) {
          const a = col(Z[vi]!, l, tune);
          const c = chooseThresholdBy(a.s, a.y, rule);
          if (c.f > bestF + 1e-9) { bestF = c.f; bestV = vi; bestT = c.threshold; }
        }
        const b = col(Z[bestV]!, l, score);
        f[l] = f1At(b.s, b.y, bestT);
      }
      add(`per-label C | ${rn}`, f);
    }
  }
}
const base = sums.get(`${h.variants[vC4]} | best (current)`)! / evals;
for (const [k, s] of sums) console.log(`${k.padEnd(40)} ${(s / evals).toFixed(4)}  Δ ${(s / evals - base >= 0 ? '+' : '')}${(s / evals - base).toFixed(4)}`);
if (process.env.PER_LABEL) {
  for (const k of [`${h.variants[vC4]} | best (current)`, process.env.PER_LABEL]) console.log(k, Array.from(perLabel.get(k)!, (x, l) => `${h.names[l]}:${(x / evals).toFixed(3)}`).join(' '));
}
