/**
 * The held-out featurization thread (heldOut.ts): ten nice steps below the thread that started it, so that it uses
 * CPU the training thread (and whatever else runs at its priority) leaves idle. Given the test texts and the
 * analyses training will use, it hashes every text's n-grams at once (the bulk of a transform, needing no
 * vocabulary); given the fitted vectorizers, it looks those hashes up and weighs them — TfidfVectorizer.transform's
 * own steps, in its order, so the matrices are the same — and posts each block's matrix on its port (transferred).
 * A block whose analysis was not hashed ahead is transformed from the texts; one that fails is not posted (the
 * training thread transforms every block it has not received).
 */
import { getPriority, setPriority } from 'node:os';
import { parentPort, type MessagePort } from 'node:worker_threads';
import type { Csr } from '../sparse/csr.ts';
import { analyze, NgramScratch } from './analyzers.ts';
import { grow, weigh } from './fitVocabulary.ts';
import type { Analysis, HeldOutBlock, HeldOutMessage, HeldOutResult } from './heldOut.ts';
import { TfidfVectorizer } from './vocabulary.ts';

/** Nice steps below the thread that started it (the training thread, which it must not slow down). */
const BELOW_TRAINING = 10;
if (process.platform === 'linux') {
  try {
    // this thread only (Linux: a thread starts with its creator's nice value); elsewhere it would be the whole process
    setPriority(Math.min(19, getPriority() + BELOW_TRAINING));
  } catch {
    // not permitted: the creator's priority
  }
}

/** Every text's n-gram hashes under one analysis: text d's are [offsets[d], offsets[d + 1]). */
interface Hashed {
  analysis: Analysis;
  h1: Int32Array;
  h2: Int32Array;
  offsets: Int32Array;
  maxCount: number;
}

let texts: readonly string[] = [];
let port: MessagePort | undefined;
let hashed: Hashed[] = [];

function hashAll(analysis: Analysis): Hashed {
  const s = new NgramScratch(), offsets = new Int32Array(texts.length + 1);
  let h1 = new Int32Array(1 << 16), h2 = new Int32Array(1 << 16), p = 0, maxCount = 0;
  for (let d = 0; d < texts.length; d++) {
    analyze(analysis.analyzer, texts[d]!, analysis.lowercase, analysis.ngramRange, s);
    const cnt = s.count;
    if (p + cnt > h1.length) { h1 = grow(h1, p + cnt); h2 = grow(h2, p + cnt); }
    h1.set(s.h1.subarray(0, cnt), p);
    h2.set(s.h2.subarray(0, cnt), p);
    p += cnt;
    offsets[d + 1] = p;
    maxCount = Math.max(maxCount, cnt);
  }
  return { analysis, h1, h2, offsets, maxCount };
}

const sameAnalysis = (a: Analysis, c: Analysis) => a.analyzer === c.analyzer && a.lowercase === c.lowercase && a.ngramRange[0] === c.ngramRange[0] && a.ngramRange[1] === c.ngramRange[1];

/** TfidfVectorizer.transform with the n-grams hashed ahead: the same look-ups, counts and weights, in the same order. */
function transformHashed(v: TfidfVectorizer, h: Hashed): Csr {
  const table = v.lookupTable, idf = v.idf, nCols = idf.length, n = texts.length;
  const seen = new Int32Array(nCols), indptr = new Int32Array(n + 1), ids = new Int32Array(Math.max(1, h.maxCount));
  let cap = 1024;
  for (let d = 0; d < n; d++) cap += texts[d]!.length;
  if (v.config.analyzer === 'char_wb') cap *= 2;
  let indices = new Int32Array(cap), counts = new Int32Array(cap), p = 0;
  for (let d = 0; d < n; d++) {
    const from = h.offsets[d]!, cnt = h.offsets[d + 1]! - from, docStart = p;
    table.getMany(h.h1.subarray(from, from + cnt), h.h2.subarray(from, from + cnt), cnt, ids);
    if (p + cnt > indices.length) { indices = grow(indices, p + cnt); counts = grow(counts, p + cnt); }
    for (let k = 0; k < cnt; k++) {
      const col = ids[k]!;
      if (col < 0) continue;
      const at = seen[col]! - 1;
      if (at >= docStart) counts[at]!++;
      else { seen[col] = p + 1; indices[p] = col; counts[p++] = 1; }
    }
    indptr[d + 1] = p;
  }
  return weigh(indptr, indices.subarray(0, p), counts, n, nCols, idf, v.config.sublinearTf);
}

function transformBlock(b: HeldOutBlock): Csr {
  // transform uses the settings, idf and look-up table only: the terms stay with the training thread
  const v = TfidfVectorizer.fromParts({ config: b.config, terms: [], idf: b.idf, slots: b.slots });
  const h = hashed.find((x) => sameAnalysis(x.analysis, b.config));
  return h ? transformHashed(v, h) : v.transform(texts);
}

parentPort?.on('message', (m: HeldOutMessage) => {
  if (m.kind === 'texts') {
    texts = m.texts;
    port = m.port;
    // the costly char_wb analysis first (the vectorizers may arrive before both are hashed)
    hashed = [];
    for (const a of [...m.analyses].sort((x, y) => Number(y.analyzer === 'char_wb') - Number(x.analyzer === 'char_wb'))) hashed.push(hashAll(a));
    return;
  }
  // the costly char_wb block first: if training ends before both are done, that is the one the training thread saves
  const order = m.blocks.map((_, t) => t).sort((a, b) => Number(m.blocks[b]!.config.analyzer === 'char_wb') - Number(m.blocks[a]!.config.analyzer === 'char_wb'));
  for (const t of order) {
    let r: HeldOutResult;
    try {
      r = { t, matrix: transformBlock(m.blocks[t]!) };
    } catch (e) {
      r = { t, error: e instanceof Error ? e.message : String(e) };
    }
    const buffers = 'matrix' in r ? [...new Set([r.matrix.indptr.buffer, r.matrix.indices.buffer, r.matrix.data.buffer])] as ArrayBuffer[] : [];
    port?.postMessage(r, buffers);
  }
});
