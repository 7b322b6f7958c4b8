/**
 * A training worker thread (parallelTrain.ts): for each job it is sent, claims task indices from the job's shared
 * counter and runs them until none is left — stack tasks write into the job's shared arrays, vectorize tasks post
 * the fitted vectorizer's parts and matrix back (transferred, not copied) before the task counts as done. A failure
 * is reported through the job's port and stops further claims by every thread.
 */
import { parentPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { ABORTED, DONE, FAILED, NEXT, taskTotal, type VectorizeResult, type WorkerJob } from './parallelTrain.ts';
import { runStackTask } from './stackTasks.ts';
import { TfidfVectorizer } from './vocabulary.ts';

function runTask(w: WorkerJob, t: number, port: MessagePort): void {
  if (w.kind === 'stack') return runStackTask(w.job, t);
  const { vectorizer, matrix } = TfidfVectorizer.fitTransform(w.texts, w.configs[t]!);
  const parts = vectorizer.toParts();
  const result: VectorizeResult = { t, parts, matrix };
  port.postMessage(result, [matrix.indptr.buffer, matrix.indices.buffer, matrix.data.buffer] as ArrayBuffer[]);
}

function run(w: WorkerJob, control: Int32Array, port: MessagePort): void {
  const n = taskTotal(w);
  for (let t; (t = Atomics.add(control, NEXT, 1)) < n;) {
    if (!Atomics.load(control, ABORTED) && !Atomics.load(control, FAILED)) {
      try {
        runTask(w, t, port);
      } catch (e) {
        port.postMessage(e instanceof Error ? e.message : String(e));
        Atomics.store(control, FAILED, 1);
      }
    }
    Atomics.add(control, DONE, 1);
    Atomics.notify(control, DONE);
  }
  port.close();
}

parentPort?.on('message', (m: { w: WorkerJob; control: Int32Array; port: MessagePort }) => run(m.w, m.control, m.port));
parentPort?.postMessage('ready');
