/**
 * The rule worker pool (piscina): CQL evaluation leaves the main thread, which keeps serving HTTP, prefetch and the
 * audit log while `threads` workers run the libraries (worker.ts). Started on the first evaluation, so processes
 * that never decide an order start no threads; idle workers do not keep the process alive. A full queue is
 * refused at once with RATE_LIMITED (HTTP 429) and a Retry-After estimate, instead of letting latency grow.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { AppError } from '../../core/errors.ts';
import type { RuleReply, RuleTask, RuleTaskInput, SharedState } from './worker.ts';

const BOOTSTRAP = fileURLToPath(new URL('./workerBootstrap.mjs', import.meta.url));
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url).href; // dist/ runs worker.js

/** SAGEBRUSH_CQL_THREADS when unset: every core but the one the event loop needs. */
export function defaultRuleThreads(): number {
  return Math.max(0, availableParallelism() - 1);
}

/** Waiting evaluations per thread when SAGEBRUSH_CQL_QUEUE is unset (at ~3 ms each, under 0.5 s of work). */
export const DEFAULT_QUEUE_PER_THREAD = 128;

/** At most this many tasks wait inside a rule thread (it runs them in turn): every call of a 50-client load. */
export const MAX_TASKS_IN_THREAD = 64;

/**
 * How the evaluation queue (`maxQueue` places in all) is split between the threads' own ports and piscina's queue:
 * up to MAX_TASKS_IN_THREAD per thread inside the threads, the rest in piscina's queue, so what may wait stays
 * `maxQueue` (plus the task each thread is running).
 */
export function queueSplit(threads: number, maxQueue: number): { inThread: number; pooled: number } {
  const inThread = Math.max(1, Math.min(MAX_TASKS_IN_THREAD, Math.ceil(maxQueue / Math.max(1, threads))));
  return { inThread, pooled: Math.max(0, maxQueue - inThread * threads) };
}

export interface RulePoolOptions {
  threads: number;
  /** Evaluations that may wait for a thread; more are refused with RATE_LIMITED. */
  maxQueue: number;
  /**
   * What piscina reports outside any task (a thread that failed while idle and was replaced); the server logs it.
   * Without a listener such an 'error' event would end the process.
   */
  onError?: (err: Error) => void;
}

export interface RulePool {
  readonly threads: number;
  /** Tasks the threads have answered (tests prove evaluations left the main thread). */
  completed(): number;
  /**
   * Runs a task on a worker. `shared` (the task's catalog and policy versions, by their keys) is sent only when the
   * worker lacks one of them: then the task is resent once with it.
   */
  run<R extends RuleReply>(task: RuleTaskInput, shared: SharedState): Promise<Exclude<R, { needCatalog: true }>>;
  close(): Promise<void>;
}

export function createRulePool(options: RulePoolOptions): RulePool {
  // Tasks travel as JSON text: for FHIR JSON, stringify + parse costs under half of postMessage's structured clone.
  let pool: Piscina<string, RuleReply> | null = null;
  /** Recent mean time from submit to answer (queue wait included), for Retry-After. */
  let meanMs = 5;
  let done = 0;
  const split = queueSplit(options.threads, options.maxQueue);
  /**
   * Admission is counted here, not left to piscina's maxQueue: piscina 5.3.2 refuses a task with "No task queue
   * available" when its maxQueue is 0 but leaves it queued, so a refused (429) evaluation still ran later, and one
   * still running at close() answered into a closed port ("Unexpected message from Worker", an uncaught error).
   */
  const capacity = split.inThread * options.threads + split.pooled;
  const inFlight = new Set<Promise<RuleReply>>();

  const start = () =>
    (pool ??= new Piscina<string, RuleReply>({
      filename: BOOTSTRAP,
      workerData: { entryUrl: ENTRY },
      minThreads: 0,
      maxThreads: options.threads,
      maxQueue: capacity, // never reached: run() refuses at `capacity` tasks in flight
      // Queued tasks wait in the thread's own port (worker.ts runs them one after the other), not in piscina's queue:
      // piscina dispatches more only on a main-thread turn, so with 2 here the thread ran ~2 tasks per event-loop
      // turn and, under load, calls queued behind long turns (50 clients: p95 157 ms, max 391 ms; with 64:
      // p95 86-96 ms, max 125 ms; docs/benchmarks.md). piscina's queue takes the rest of the `maxQueue` places.
      concurrentTasksPerWorker: split.inThread,
      // Workers stay while there is traffic (loading cql-execution and the FHIR model costs ~1 s per thread).
      idleTimeout: 60_000,
      // no run/wait-time histograms: nothing reads them, and each task would record two
      recordTiming: false,
    }).on('error', (err: Error) => (options.onError ?? ((e: Error) => process.emitWarning(e)))(err)));

  function busy(p: Piscina<string, RuleReply>): AppError {
    // A full queue drains in about the time a queued evaluation has recently taken end to end.
    const retryAfter = Math.max(1, Math.ceil(meanMs / 1000));
    return new AppError('RATE_LIMITED', `The rule engine is busy: all ${options.maxQueue} place(s) of the evaluation queue are taken (${p.queueSize} waiting for ${options.threads} rule thread(s), ${split.inThread} in each thread). Retry after ${retryAfter} s.`, {
      extra: { retryAfter },
      problems: [{ problem: 'the rule evaluation queue is full', fix: `Retry after ${retryAfter} s, or raise SAGEBRUSH_CQL_THREADS (more cores) or SAGEBRUSH_CQL_QUEUE.` }],
    });
  }

  async function submit(p: Piscina<string, RuleReply>, task: RuleTask): Promise<RuleReply> {
    if (inFlight.size >= capacity) throw busy(p);
    const reply = p.run(JSON.stringify(task));
    inFlight.add(reply);
    try {
      return await reply;
    } finally {
      inFlight.delete(reply);
    }
  }

  return {
    threads: options.threads,
    completed: () => done,
    async run<R extends RuleReply>(task: RuleTaskInput, shared: SharedState) {
      const p = start();
      const t0 = performance.now();
      let reply = await submit(p, task);
      if ('needCatalog' in reply) reply = await submit(p, { ...task, ...shared });
      if ('needCatalog' in reply) throw new AppError('INTERNAL', 'A rule worker did not accept the rule catalog or policy table.');
      meanMs = meanMs * 0.9 + (performance.now() - t0) * 0.1;
      done += 1;
      return reply as Exclude<R, { needCatalog: true }>;
    },
    async close() {
      const p = pool;
      pool = null;
      if (!p) return;
      // let the evaluations in flight answer first (milliseconds each): destroy() would fail them mid-way
      await Promise.allSettled([...inFlight]);
      await p.destroy();
    },
  };
}
