/**
 * Starts running this process's jobs as configured (`workerMode`): in a worker thread (the default for `serve` and
 * `worker`), so this event loop only serves I/O, or on this thread ('inline'). Servers started by benches and
 * tests can call it too, to run jobs the way `serve` does.
 */
import type { DbJobQueue } from '../jobs/base.ts';
import { startJobThread } from '../jobs/thread/host.ts';
import type { QueueTimings } from '../jobs/support.ts';
import type { AppContext } from './context.ts';

/** The job thread's entry (its composition root, jobThread.ts); the compiled build (dist/) runs jobThread.js. */
export const JOB_THREAD_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './jobThread.ts' : './jobThread.js', import.meta.url).href;

export interface RunningJobs {
  mode: 'thread' | 'inline';
  /** Aborts running jobs (re-queued when idempotent, else failed INTERRUPTED) and stops taking new ones. */
  stop(): Promise<void>;
}

export async function startJobs(ctx: AppContext, options: { concurrency?: number; timings?: Partial<QueueTimings> } = {}): Promise<RunningJobs> {
  const concurrency = options.concurrency ?? ctx.config.workerConcurrency;
  if (ctx.config.workerMode === 'inline') {
    await ctx.queue.startWorker({ concurrency });
    return { mode: 'inline', stop: () => ctx.queue.stopWorker() };
  }
  const thread = await startJobThread({
    entryUrl: JOB_THREAD_ENTRY, config: ctx.config, queue: ctx.queue as DbJobQueue, logger: ctx.logger, concurrency, timings: options.timings,
    onModelChanged: (modelId) => ctx.services.modelChanged(modelId),
  });
  return { mode: 'thread', stop: () => thread.stop() };
}
