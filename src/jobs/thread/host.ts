/**
 * Runs the job worker loop in a worker thread so this process's event loop serves I/O only (health, API,
 * endpoints) while handlers compute. The host writes the thread's progress (fenced by attempt, as the thread
 * would) and relays its events to this queue's subscribers (SSE, wait()), heartbeats the jobs the thread runs
 * (the thread's own timers stall while a handler computes), forwards cancel requests it sees in the DB, and on
 * stop drains the thread. A thread that dies is restarted; its running jobs are recorded as interrupted.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { sql } from 'kysely';
import type { Config } from '../../core/config.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { dialectOf } from '../../storage/db.ts';
import type { DbJobQueue } from '../base.ts';
import { DEFAULT_TIMINGS, type QueueTimings } from '../support.ts';
import type { Job } from '../types.ts';
import { sendControl, type RunInfo, type ThreadData, type ThreadMessage } from './protocol.ts';

const BOOTSTRAP = new URL('./bootstrap.mjs', import.meta.url);
const START_TIMEOUT_MS = 120_000;

export interface JobThreadOptions {
  /**
   * file: URL of the module the thread runs (bootstrap.mjs imports it): the composition root that builds the thread's
   * context and runs the worker loop, src/app/jobThread.ts (.js from dist/). Given by the caller, so this layer
   * names nothing above it.
   */
  entryUrl: string;
  config: Config;
  /** The queue this process serves the API from (its store and event bus). */
  queue: DbJobQueue;
  logger?: Logger;
  concurrency: number;
  timings?: Partial<QueueTimings>;
  /** A job changed a model's decision rule: evict it from this process's caches too. */
  onModelChanged?: (modelId: string) => Promise<void> | void;
}

export interface JobThread {
  readonly threadId: number;
  /** Aborts running jobs (recorded as interrupted or re-queued, as stopWorker() does) and ends the thread. */
  stop(): Promise<void>;
  /** Ends the thread abruptly, as a crash would (the host records its jobs and restarts it). For tests. */
  crash(): Promise<void>;
}

export async function startJobThread(options: JobThreadOptions): Promise<JobThread> {
  const timings: QueueTimings = { ...DEFAULT_TIMINGS, ...options.timings };
  const { queue, logger } = options;
  const runs = new Map<string, RunInfo>();
  const cancelsSent = new Set<string>();
  let worker!: Worker;
  let epoch!: SharedArrayBuffer;
  let control!: MessagePort;
  let stopping = false;
  let restarts = 0;
  // Messages are handled one after another, so a progress write lands before the terminal event that follows it.
  let chain: Promise<void> = Promise.resolve();

  const handle = async (m: ThreadMessage): Promise<void> => {
    if (m.type === 'event') queue.relay(m.event);
    else if (m.type === 'started') runs.set(m.run.id, m.run);
    else if (m.type === 'finished') {
      runs.delete(m.id);
      cancelsSent.delete(m.id);
    } else if (m.type === 'progress') {
      if (await queue.store.setProgress(m.id, m.attempt, m.progress, m.message)) queue.relay({ jobId: m.id, status: 'running', progress: m.progress, message: m.message });
    } else if (m.type === 'model-changed') await options.onModelChanged?.(m.modelId);
    else if (m.type === 'stopped') await worker.terminate(); // drained; ends timers a library may have left
  };

  /** Jobs the dead thread was running: nobody will finish them. */
  const interruptAll = async () => {
    for (const run of [...runs.values()]) {
      runs.delete(run.id);
      await queue.recordInterrupted(run as Job, run.attempts).catch((err: unknown) => logger?.error({ err, jobId: run.id }, 'could not record an interrupted job'));
    }
  };

  const spawn = () =>
    new Promise<void>((resolve, reject) => {
      const channel = new MessageChannel();
      epoch = new SharedArrayBuffer(4);
      control = channel.port1;
      const data: ThreadData = { entryUrl: options.entryUrl, config: options.config, concurrency: options.concurrency, timings, epoch, control: channel.port2 };
      // No execArgv: the parent's loader flags (tsx, vitest) do not belong in the thread; bootstrap.mjs registers tsx.
      worker = new Worker(BOOTSTRAP, { workerData: data, transferList: [channel.port2], execArgv: [], name: 'sagebrush-jobs' });
      let ready = false;
      const timer = setTimeout(() => reject(new AppError('JOB_WORKER_FAILED', `The job worker thread did not start within ${START_TIMEOUT_MS / 1000} s.`)), START_TIMEOUT_MS);
      worker.on('message', (m: ThreadMessage) => {
        if (m.type === 'ready') {
          ready = true;
          restarts = 0;
          clearTimeout(timer);
          resolve();
          return;
        }
        chain = chain.then(() => handle(m)).catch((err: unknown) => logger?.warn({ err, type: m.type }, 'could not handle a message from the job worker thread'));
      });
      worker.on('error', (err) => {
        logger?.error({ err }, 'the job worker thread failed');
        if (!ready) {
          clearTimeout(timer);
          reject(new AppError('JOB_WORKER_FAILED', `The job worker thread could not start: ${err.message}`, {
            cause: err,
            problems: [{ field: 'workerMode', problem: err.message, fix: 'Fix the cause above, or run jobs in the server process with SAGEBRUSH_WORKER_MODE=inline.' }],
          }));
        }
      });
      worker.on('exit', (code) => {
        clearTimeout(timer);
        control.close();
        chain = chain.then(interruptAll);
        if (!ready) reject(new AppError('JOB_WORKER_FAILED', `The job worker thread exited (code ${code}) before it was ready.`));
        else if (!stopping) {
          const delay = Math.min(30_000, 1000 * 2 ** restarts++);
          logger?.error({ code, delay }, 'the job worker thread stopped unexpectedly; restarting it');
          setTimeout(() => void chain.then(() => (stopping ? undefined : spawn())).catch((err: unknown) => logger?.error({ err }, 'could not restart the job worker thread')), delay).unref();
        }
      });
    });

  // Heartbeats and cancel forwarding for the thread's runs; its own watch loop stalls while a handler computes.
  let lastHeartbeat = 0;
  let watching = false;
  const watch = setInterval(() => {
    const ids = [...runs.keys()];
    if (watching || ids.length === 0) return;
    watching = true;
    void (async () => {
      for (const s of await queue.store.states(ids)) {
        const run = runs.get(s.id);
        if (run && Number(s.cancel_requested) === 1 && s.status === 'running' && !cancelsSent.has(s.id)) {
          cancelsSent.add(s.id);
          run.cancelRequested = true;
          sendControl(epoch, control, { type: 'cancel', id: s.id });
        }
      }
      if (Date.now() - lastHeartbeat >= timings.leaseMs / 3) {
        lastHeartbeat = Date.now();
        await queue.store.heartbeat(ids);
      }
    })()
      .catch((err: unknown) => logger?.warn({ err }, 'job thread watch failed; retrying'))
      .finally(() => (watching = false));
  }, timings.watchMs);
  watch.unref();

  // SQLite: a commit that finds the WAL over 1,000 pages runs a checkpoint (with fsyncs) right there, on the
  // committing thread. Leave those to the job thread's connection (app/jobThread.ts), so this event loop never waits on one.
  const sqlite = dialectOf(queue.store.db) === 'sqlite';
  if (sqlite) await sql`PRAGMA wal_autocheckpoint = 0`.execute(queue.store.db);

  try {
    await spawn();
  } catch (err) {
    if (sqlite) await sql`PRAGMA wal_autocheckpoint = 1000`.execute(queue.store.db).catch(() => undefined);
    clearInterval(watch);
    await worker.terminate().catch(() => 0);
    throw err;
  }

  return {
    get threadId() {
      return worker.threadId;
    },
    async crash() {
      await worker.terminate();
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(watch);
      const exited = new Promise<void>((r) => (worker.threadId === -1 ? r() : worker.once('exit', () => r())));
      // Shutdown first on the control port: a handler computing synchronously sees it through its signal.
      sendControl(epoch, control, { type: 'shutdown' });
      worker.postMessage({ type: 'stop' });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timings.shutdownGraceMs + 5000)))]);
      clearTimeout(timer);
      if (timedOut) {
        logger?.warn('the job worker thread did not stop in time; terminating it');
        await worker.terminate();
      }
      await chain;
      if (sqlite) await sql`PRAGMA wal_autocheckpoint = 1000`.execute(queue.store.db).catch(() => undefined);
    },
  };
}
