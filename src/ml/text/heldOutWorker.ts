/**
 * The held-out featurization thread (heldOut.ts): ten nice steps below the thread that started it, so that it uses
 * CPU the training thread (and whatever else runs at its priority) leaves idle; keeps the test texts it is sent, and for the fitted vectorizers posts
 * each block's tf-idf matrix back on its port (transferred). A block that fails is simply not posted: the training
 * thread transforms every block it has not received.
 */
import { getPriority, setPriority } from 'node:os';
import { parentPort, type MessagePort } from 'node:worker_threads';
import type { HeldOutMessage, HeldOutResult } from './heldOut.ts';
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

let texts: readonly string[] = [];
let port: MessagePort | undefined;

parentPort?.on('message', (m: HeldOutMessage) => {
  if (m.kind === 'texts') {
    texts = m.texts;
    port = m.port;
    return;
  }
  // the costly char_wb block first: if training ends before both are done, that is the one the training thread saves
  const order = m.blocks.map((_, t) => t).sort((a, b) => Number(m.blocks[b]!.config.analyzer === 'char_wb') - Number(m.blocks[a]!.config.analyzer === 'char_wb'));
  for (const t of order) {
    let r: HeldOutResult;
    try {
      const b = m.blocks[t]!;
      // transform uses the settings, idf and look-up table only: the terms stay with the training thread
      r = { t, matrix: TfidfVectorizer.fromParts({ config: b.config, terms: [], idf: b.idf, slots: b.slots }).transform(texts) };
    } catch (e) {
      r = { t, error: e instanceof Error ? e.message : String(e) };
    }
    const buffers = 'matrix' in r ? [...new Set([r.matrix.indptr.buffer, r.matrix.indices.buffer, r.matrix.data.buffer])] as ArrayBuffer[] : [];
    port?.postMessage(r, buffers);
  }
});
