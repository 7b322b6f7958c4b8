/**
 * The evaluation thread of a `text.train` job (evalThread.ts). 'warm': optimises its scoring code on a tiny model
 * fitted on a sample of the job's training texts (predictWarmUp.ts), then raises its state to WARM. 'score':
 * rebuilds the trained model from its scoring parts (the very look-up tables, idf and weights) and answers the
 * probabilities of the texts, transferred — or why it failed (the job's thread then scores them itself).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TextClassifierModel } from '../../ml/text/classifier.ts';
import { TfidfVectorizer } from '../../ml/text/vocabulary.ts';
import { LOADED, WARM, type EvalMessage } from './evalThread.ts';
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
    const scores = new TextClassifierModel(p.mode, p.labelNames, p.options, vectorizers, p.linear, p.info).predict(m.texts);
    parentPort?.postMessage({ scores }, [scores.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
Atomics.store(state, 0, LOADED);
