/**
 * The evaluation thread of a `text.train` job (evalThread.ts). 'warm': optimises its scoring code on a tiny model
 * built from a sample of the job's training texts (predictWarmUp.ts), then raises its state to WARM. 'score':
 * rebuilds the trained model from its scoring parts (the very look-up tables, idf and weights), scores the chunks of
 * the texts it claims into the shared array, then says 'done' — or why it failed (the job's thread scores the rest).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TextClassifierModel } from '../../ml/text/classifier.ts';
import { TfidfVectorizer } from '../../ml/text/vocabulary.ts';
import { LOADED, scoreClaimedChunks, WARM, type EvalMessage } from './evalThread.ts';
import { warmUpPredict } from './predictWarmUp.ts';

// the job's thread reads this without waiting for an event (training blocks its event loop)
const state = (workerData as { state: Int32Array }).state;

parentPort?.on('message', (m: EvalMessage) => {
  if (m.kind === 'warm') {
    try {
      warmUpPredict(m.input);
    } finally {
      Atomics.store(state, 0, WARM);
    }
    return;
  }
  try {
    const p = m.parts;
    // no term strings: scoring looks n-grams up in the table and never reads them
    const vectorizers = p.blocks.map((b) => TfidfVectorizer.fromParts({ ...b, terms: [] }));
    scoreClaimedChunks(new TextClassifierModel(p.mode, p.labelNames, p.options, vectorizers, p.linear, p.info), m);
    parentPort?.postMessage('done');
  } catch (err) {
    parentPort?.postMessage(`failed: ${err instanceof Error ? err.message : String(err)}`);
  }
});
Atomics.store(state, 0, LOADED);
