/**
 * The batch job's JSON Lines output written as bytes: per document, `resultJson`'s line (predictor.ts: byte for byte
 * `JSON.stringify` of toResult's object) plus '\n', copied from pre-encoded pieces — each label's `{"Name":…,"Score":`
 * and the 10,001 possible 4-decimal scores — into one growing buffer. Building the lines as JS strings cost more
 * than scoring on 28-label models (GoEmotions: ~150k label entries, ~6 MB, per 5,426 documents).
 */
import type { DecisionRule } from './comprehend.ts';

/** SCORE_BYTES[SCORE_AT[k] .. SCORE_AT[k + 1]) = JSON of k / 10⁴ (String(k / 1e4): '0', '0.5', '0.1234', '1'). */
let SCORE_BYTES: Uint8Array | null = null;
let SCORE_AT: Int32Array | null = null;

/**
 * Fills the table with integer arithmetic: String(k / 1e4) for 10,001 values cost ~10 ms in a fresh process, inside
 * the first batch's time. k / 10⁴ is the double nearest that 4-decimal number, whose shortest form is the number's own
 * digits: '0.' and k's 4 digits without trailing zeros (0 and 1 alone) — the same text (resultLines.test.ts).
 */
function scoreTable(): void {
  const bytes = new Uint8Array(6 * 10001), at = new Int32Array(10002);
  let n = 0;
  for (let k = 0; k <= 10000; k++) {
    if (k === 0 || k === 10000) bytes[n++] = k === 0 ? 48 : 49;
    else {
      let digits = 4;
      for (let v = k; v % 10 === 0; v /= 10) digits--;
      bytes[n++] = 48; // '0'
      bytes[n++] = 46; // '.'
      for (let d = 0, p = 1000; d < digits; d++, p /= 10) bytes[n++] = 48 + (Math.floor(k / p) % 10);
    }
    at[k + 1] = n;
  }
  SCORE_BYTES = bytes.subarray(0, n);
  SCORE_AT = at;
}

export class ResultLineWriter {
  private buf = Buffer.allocUnsafe(1 << 16);
  private at = 0;
  /** Per label j: `{"Name":<json>,"Score":` at entryAt[2j] .. entryAt[2j + 1] of `pieces`, `<json name>` at nameAt[2j] ... */
  private readonly pieces: Uint8Array;
  private readonly entryAt: Int32Array;
  private readonly nameAt: Int32Array;
  private readonly order: Int32Array;
  private readonly rounded: Float64Array;
  private readonly open: Buffer;
  // the decision rule as numbers, read once: comparing `rule.mode` (a string from the model file's JSON) in the
  // per-line loop deoptimised it over and over ("wrong instance type") when warmed on a rule whose mode was a literal
  private readonly multiClass: boolean;
  private readonly thresholds: Float64Array;
  private readonly offsets: Float64Array;
  private readonly abstainBelow: number;

  /**
   * `expectedLines`: how many result lines will be written, so that the buffer is sized once (each growth copied it
   * and, the first time, deoptimised the copying code in the middle of a batch).
   */
  constructor(rule: DecisionRule, expectedLines = 0) {
    if (!SCORE_BYTES) scoreTable();
    const parts: Buffer[] = [], n = rule.labels.length;
    this.entryAt = new Int32Array(2 * n);
    this.nameAt = new Int32Array(2 * n);
    let at = 0;
    const add = (text: string, into: Int32Array, j: number) => {
      const b = Buffer.from(text, 'utf8');
      parts.push(b);
      into[2 * j] = at;
      into[2 * j + 1] = at += b.length;
    };
    rule.labels.forEach((l, j) => {
      add(`{"Name":${JSON.stringify(l)},"Score":`, this.entryAt, j);
      add(JSON.stringify(l), this.nameAt, j);
    });
    this.pieces = Buffer.concat(parts);
    this.order = new Int32Array(rule.labels.length);
    this.rounded = new Float64Array(rule.labels.length);
    this.multiClass = rule.mode === 'multi-class';
    this.thresholds = Float64Array.from(rule.labels, (_, j) => rule.thresholds?.[j] ?? 0.5);
    this.offsets = Float64Array.from(rule.labels, (_, j) => rule.offsets?.[j] ?? 0);
    this.abstainBelow = rule.abstainBelow ?? -Infinity; // `score < -Infinity` never holds: no abstaining
    this.open = Buffer.from(this.multiClass ? '"Classes":[' : '"Labels":[', 'latin1');
    // a line: its head (~40 bytes), every label's entry, score (≤ 6) and brackets, the predicted names, the rest
    const perLine = 64 + this.pieces.length + 8 * n, size = Math.min(expectedLines * perLine, 1 << 28);
    if (size > this.buf.length) this.buf = Buffer.allocUnsafe(size);
  }

  /** Appends `text` and '\n' (e.g. an error line). */
  raw(text: string): void {
    this.ensure(Buffer.byteLength(text, 'utf8') + 1);
    this.at += this.buf.write(text, this.at, 'utf8');
    this.buf[this.at++] = 10;
  }

  /** Appends the result line of scores[offset ..) with `head` (leading members and their comma, e.g. `{"File":"a","Line":"3",`). */
  line(scores: Float32Array, offset: number, head: string): void {
    const n = this.order.length, order = this.order, rounded = this.rounded;
    for (let j = 0; j < n; j++) {
      rounded[j] = Math.round(scores[offset + j]! * 1e4); // k / 10⁴ is toResult's rounded score
      let k = j; // insertion sort, descending, stable (Array.prototype.sort's order for ties)
      while (k > 0 && rounded[order[k - 1]!]! < rounded[j]!) { order[k] = order[k - 1]!; k--; }
      order[k] = j;
    }
    this.ensure(Buffer.byteLength(head, 'utf8') + 64);
    this.at += this.buf.write(head, this.at, 'utf8');
    this.copy(this.open, 0, this.open.length);
    const bytes = SCORE_BYTES!, at = SCORE_AT!, pieces = this.pieces, entryAt = this.entryAt;
    for (let k = 0; k < n; k++) {
      const j = order[k]!, v = rounded[j]!;
      if (k) this.byte(44);
      this.copy(pieces, entryAt[2 * j]!, entryAt[2 * j + 1]!);
      if (v >= 0 && v <= 10000) this.copy(bytes, at[v]!, at[v + 1]!);
      else this.putText(Number.isFinite(v) ? String(v / 1e4) : 'null');
      this.byte(125);
    }
    this.putText('],"Predicted":');
    if (this.multiClass) {
      // toResult's decision: the best score after offsets (0 where none); null below abstainBelow
      let best = 0;
      const off = this.offsets;
      for (let j = 1; j < n; j++) if (scores[offset + j]! + off[j]! > scores[offset + best]! + off[best]!) best = j;
      if (scores[offset + best]! < this.abstainBelow) this.putText('null');
      else this.copy(this.pieces, this.nameAt[2 * best]!, this.nameAt[2 * best + 1]!);
    } else {
      this.byte(91);
      let first = true;
      const thresholds = this.thresholds;
      for (let j = 0; j < n; j++) {
        if (scores[offset + j]! >= thresholds[j]!) {
          if (!first) this.byte(44);
          this.copy(this.pieces, this.nameAt[2 * j]!, this.nameAt[2 * j + 1]!);
          first = false;
        }
      }
      this.byte(93);
    }
    this.byte(125);
    this.byte(10);
  }

  /** The lines written so far (a view of the buffer: copy it before writing more). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  /** Appends src[from..to) byte by byte (pieces are a few bytes: no subarray objects). */
  private copy(src: Uint8Array, from: number, to: number): void {
    if (this.at + (to - from) > this.buf.length) this.ensure(to - from);
    const buf = this.buf;
    let at = this.at;
    for (let i = from; i < to; i++) buf[at++] = src[i]!;
    this.at = at;
  }

  private putText(s: string): void {
    this.ensure(s.length * 3);
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  private byte(c: number): void {
    if (this.at >= this.buf.length) this.ensure(1);
    this.buf[this.at++] = c;
  }

  private ensure(more: number): void {
    if (this.at + more <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.at + more, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }
}

/**
 * JIT warm-up of the line writer on this thread (scoringPool.ts `start` runs it with the scorer's warm-up): a fresh
 * thread wrote GoEmotions' 5,426 lines (28 labels) in ~60 ms of CPU, ~30 ms once `line` was optimised, and
 * jigsaw-10k's 1,996 (7 labels) in ~45 ms instead of ~5 — inside the first batch's time. Made-up scores and labels
 * of both widths and both modes (thresholds, offsets, abstaining), error lines, non-ASCII heads; deterministic, no
 * I/O, a few ms. Returns the bytes written (so nothing is optimised away).
 */
export function warmUpResultLines(): number {
  let seed = 2024, total = 0;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x80000000;
  const rules: DecisionRule[] = [];
  for (const n of [7, 28, 5]) {
    const labels = Array.from({ length: n }, (_, j) => (j === 1 ? `lab"el ${j} é` : `label${j}`));
    rules.push({ mode: 'multi-label', labels }, { mode: 'multi-label', labels, thresholds: labels.map((_, j) => 0.2 + j / (2 * n)) });
    rules.push({ mode: 'multi-class', labels }, { mode: 'multi-class', labels, offsets: labels.map((_, j) => j / (10 * n)), abstainBelow: 0.3 });
  }
  for (const rule of rules) {
    const n = rule.labels.length, rows = 300, scores = new Float32Array(rows * n);
    // mostly tiny scores with a few large ones, as trained models give
    for (let i = 0; i < scores.length; i++) { const r = rnd(); scores[i] = r < 0.85 ? r * r * r * 0.05 : r; }
    const w = new ResultLineWriter(rule, rows);
    for (let i = 0; i < rows; i++) {
      if (i % 40 === 3) w.raw(`{"File":"fïle ${i}.txt","ErrorCode":"EMPTY_DOCUMENT","ErrorMessage":"the document is empty"}`);
      w.line(scores, i * n, `{"File":"${i % 2 ? 'a.txt' : 'dös.txt'}","Line":${i},`);
    }
    total += w.bytes().toString('utf8').length;
  }
  return total;
}
