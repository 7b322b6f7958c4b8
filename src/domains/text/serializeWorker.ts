/**
 * The serialisation thread of a `text.train` job (serializeThread.ts): rebuilds each trained model it is sent from
 * its parts (the very terms, idf, look-up tables and weights) and answers the model file's bytes, transferred, or
 * why it failed (the job's thread then serialises the model itself). Raises its `loaded` flag once loaded.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TextClassifierModel } from '../../ml/text/classifier.ts';
import { TfidfVectorizer } from '../../ml/text/vocabulary.ts';
import type { ModelParts } from './serializeThread.ts';

parentPort?.on('message', (p: ModelParts) => {
  try {
    const model = new TextClassifierModel(p.mode, p.labelNames, p.options, p.vectorizers.map((v) => TfidfVectorizer.fromParts(v)), p.linear, p.info);
    const bytes = model.serialize();
    // a model file is far larger than Buffer's pool, so it owns its memory: handed over, not copied
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const out = whole ? bytes : new Uint8Array(bytes);
    parentPort?.postMessage({ bytes: out }, [out.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
// loaded: the job's thread reads this flag while it trains (its event loop is blocked then)
Atomics.store((workerData as { loaded: Int32Array }).loaded, 0, 1);
