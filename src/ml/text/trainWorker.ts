/**
 * A training worker thread (parallelTrain.ts): for each job it is sent, claims task indices from the job's shared
 * counter and runs them until none is left, writing results into the job's shared arrays. A failure is reported
 * through the job's port and stops further claims by every thread.
 */
import { parentPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { ABORTED, DONE, FAILED, NEXT } from './parallelTrain.ts';
import { runStackTask, taskCount, type StackJob } from './stackTasks.ts';

function run(job: StackJob, control: Int32Array, port: MessagePort): void {
  const n = taskCount(job);
  for (let t; (t = Atomics.add(control, NEXT, 1)) < n;) {
    if (!Atomics.load(control, ABORTED) && !Atomics.load(control, FAILED)) {
      try {
        runStackTask(job, t);
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

parentPort?.on('message', (m: { job: StackJob; control: Int32Array; port: MessagePort }) => run(m.job, m.control, m.port));
parentPort?.postMessage('ready');
