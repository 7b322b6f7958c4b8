/**
 * The job worker thread: its own AppContext (own DB connection to the same database, the same artifact store and
 * config) running the configured queue's worker loop. Job events, progress and run starts/ends go to the host
 * (host.ts) by postMessage; cancels and shutdown arrive on the control port, read even during synchronous work.
 * Loaded through jobs/thread/bootstrap.mjs (which registers tsx when this is TypeScript); the host is told this
 * module's URL by app/jobs.ts. It lives in app/ because it is a composition root: it builds the thread's AppContext.
 */
import { setPriority } from 'node:os';
import { sql } from 'kysely';
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../core/logger.ts';
import type { DbJobQueue } from '../jobs/base.ts';
import { LocalEventBus, type EventBus, type RunHooks } from '../jobs/support.ts';
import { PostedProgress, cancelWatcher, liveSignal, type ThreadData, type ThreadMessage } from '../jobs/thread/protocol.ts';
import type { JobEvent } from '../jobs/types.ts';
import { dialectOf } from '../storage/db.ts';
import { createAppContext } from './context.ts';

/**
 * Jobs are background work: under CPU contention the main thread (health, API, endpoints) goes first. On Linux a
 * nice value is per thread (and inherited by threads this one starts, e.g. ONNX intra-op threads); elsewhere
 * setPriority would change the whole process, so it is left alone there.
 */
const JOB_THREAD_NICE = 10;
if (process.platform === 'linux') {
  try {
    setPriority(JOB_THREAD_NICE);
  } catch {
    // not permitted (some containers): run at normal priority
  }
}

const port = parentPort!;
const data = workerData as ThreadData;
const post = (m: ThreadMessage) => port.postMessage(m);

/** Embedded queue: events reach the host's subscribers through the host. (BullMQ publishes on Redis itself.) */
class HostEventBus implements EventBus {
  private readonly local = new LocalEventBus();
  publish(event: JobEvent): void {
    this.local.publish(event);
    post({ type: 'event', event });
  }
  subscribe(listener: (event: JobEvent) => void, jobId?: string): () => void {
    return this.local.subscribe(listener, jobId);
  }
  close(): Promise<void> {
    return this.local.close();
  }
}

// Set once the context exists; no job runs before that.
const started: { queue?: DbJobQueue } = {};
const control = cancelWatcher(data.epoch, data.control, (m) => {
  const queue = started.queue;
  if (!queue) return;
  if (m.type === 'cancel') queue.abortLocal(m.id, 'cancel');
  else for (const id of queue.localRunIds()) queue.abortLocal(id, 'shutdown');
});

const hooks: RunHooks = {
  started: (job) => post({ type: 'started', run: { id: job.id, type: job.type, attempts: job.attempts, idempotent: job.idempotent, cancelRequested: job.cancelRequested, progress: job.progress } }),
  finished: (id) => post({ type: 'finished', id }),
  progress: (job) => new PostedProgress((progress, message) => post({ type: 'progress', id: job.id, attempt: job.attempts, progress, message }), data.timings.progressIntervalMs),
  signal: (signal) => liveSignal(signal, control.poll),
};

const config = Object.freeze({ ...data.config, workerMode: 'inline' as const });
const logger = createLogger(config.logLevel).child({ thread: 'jobs' });
const ctx = await createAppContext(config, {
  logger,
  queue: { hooks, timings: data.timings, events: config.queueUrl === 'embedded' ? new HostEventBus() : undefined },
  onModelChanged: (modelId) => post({ type: 'model-changed', modelId }),
});
started.queue = ctx.queue as DbJobQueue;

// The host's connection does not checkpoint the WAL (jobs/thread/host.ts); this thread's commits do, and this timer covers
// the time it commits nothing while the host writes (progress, API requests).
const checkpoints = dialectOf(ctx.db) === 'sqlite'
  ? setInterval(() => void sql`PRAGMA wal_checkpoint(PASSIVE)`.execute(ctx.db).catch(() => undefined), 10_000).unref()
  : undefined;

port.on('message', (m: { type: 'stop' }) => {
  if (m.type !== 'stop') return;
  void (async () => {
    try {
      clearInterval(checkpoints);
      await ctx.queue.stopWorker();
      await ctx.close();
    } catch (err) {
      logger.error({ err }, 'the job worker thread did not stop cleanly');
    } finally {
      post({ type: 'stopped' });
      control.close();
      port.close();
    }
  })();
});

await ctx.queue.startWorker({ concurrency: data.concurrency });
post({ type: 'ready' });
// Batch scoring jobs run here: start the scoring threads and warm the scorers now, not inside the first job.
void ctx.services.text.startScoring().catch((err: unknown) => logger.warn({ err }, 'text scoring warm-up failed; the first batch job warms up instead'));
