/**
 * Dynamic micro-batching and back-pressure for real-time classification. Requests that arrive while every scorer is
 * busy wait here and go out together in one batch when a scorer frees up (feature extraction and scoring cost less
 * per document in a batch, and one message to a thread carries many documents), so under load the queueing delay
 * shrinks instead of growing with every request; a lone request goes out on the next turn of the event loop, and
 * when a batch finishes, what waited goes out before that batch's answers are handed back.
 * At most `maxInFlight` batches run at once (one per scoring thread); what waits is bounded by `maxQueued` documents:
 * beyond it a request is refused with SCORING_QUEUE_FULL (429) and a Retry-After estimate, never queued without
 * limit. A request whose signal aborts while waiting leaves the queue and is never scored; one already in a batch
 * finishes with it (a batch is at most `maxBatch` documents: milliseconds).
 */
import { AppError } from '../../core/errors.ts';

/**
 * What `run` needs of a cancellation signal: an AbortSignal fits, and so does the invocation route's lighter one
 * (classify.ts), which costs a request no AbortController (an EventTarget) on the hot path.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface MicroBatcher<R> {
  run(texts: string[], signal?: CancelSignal): Promise<R[]>;
  /** Documents waiting (not yet in a running batch). */
  readonly queued: number;
}

export interface BatcherOptions {
  /** Most documents in one batch. */
  maxBatch?: number;
  /** Batches running at once. */
  maxInFlight?: number;
  /** Most documents waiting; more is refused with 429. */
  maxQueued?: number;
}

interface Pending<R> {
  texts: string[];
  resolve(results: R[]): void;
  reject(err: unknown): void;
  signal: CancelSignal | undefined;
  onAbort: (() => void) | undefined;
}

export function createMicroBatcher<R>(score: (texts: string[]) => Promise<R[]>, options: BatcherOptions = {}): MicroBatcher<R> {
  const maxBatch = options.maxBatch ?? 256, maxInFlight = options.maxInFlight ?? 1, maxQueued = options.maxQueued ?? 4096;
  const pending: Pending<R>[] = [];
  let queued = 0, inFlight = 0, scheduled = false;
  /** Recent scoring time per document (seconds, moving average): the Retry-After estimate. */
  let perDoc = 0.001;

  /** Sends the next batch out if a scorer is free: the waiting requests, oldest first, up to `maxBatch` documents. */
  function flush(): void {
    scheduled = false;
    if (inFlight >= maxInFlight || pending.length === 0) return;
    const batch: Pending<R>[] = [];
    let size = 0;
    while (pending.length > 0 && (batch.length === 0 || size + pending[0]!.texts.length <= maxBatch)) {
      const p = pending.shift()!;
      if (p.onAbort) p.signal!.removeEventListener('abort', p.onAbort);
      batch.push(p);
      size += p.texts.length;
    }
    queued -= size;
    inFlight++;
    if (pending.length > 0) schedule();
    const t0 = performance.now();
    const settle = (results: R[] | undefined, err: unknown) => {
      inFlight--;
      // The next batch goes out before this one's answers are handed back: its scorer (a thread) starts on it while
      // this thread writes the answers, instead of a turn of the event loop later (issue 17).
      if (pending.length > 0) flush();
      if (results === undefined) {
        for (const p of batch) p.reject(err);
        return;
      }
      perDoc = 0.8 * perDoc + (0.2 * (performance.now() - t0)) / 1000 / Math.max(1, size);
      let offset = 0;
      for (const p of batch) {
        p.resolve(results.slice(offset, offset + p.texts.length));
        offset += p.texts.length;
      }
    };
    let scoring: Promise<R[]>;
    try {
      scoring = score(batch.flatMap((p) => p.texts));
    } catch (err) {
      scoring = Promise.reject(err);
    }
    scoring.then((results) => settle(results, undefined), (err: unknown) => settle(undefined, err));
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  }

  return {
    get queued() {
      return queued;
    },
    run(texts, signal) {
      if (signal?.aborted) return Promise.reject(cancelled());
      if (queued > 0 && queued + texts.length > maxQueued) {
        const retryAfter = Math.max(1, Math.ceil((queued * perDoc) / maxInFlight));
        return Promise.reject(new AppError('SCORING_QUEUE_FULL', `The scoring queue is full: ${queued} documents are waiting (the limit is ${maxQueued}). Retry after ${retryAfter} s.`, {
          extra: { retryAfter },
          problems: [{ problem: 'the scoring queue is full', fix: `Retry after ${retryAfter} s, send fewer requests at once, or raise SAGEBRUSH_SCORING_QUEUE.` }],
        }));
      }
      return new Promise<R[]>((resolve, reject) => {
        const entry: Pending<R> = { texts, resolve, reject, signal, onAbort: undefined };
        if (signal) {
          entry.onAbort = () => {
            const i = pending.indexOf(entry);
            if (i < 0) return;
            pending.splice(i, 1);
            queued -= texts.length;
            reject(cancelled());
          };
          signal.addEventListener('abort', entry.onAbort, { once: true });
        }
        pending.push(entry);
        queued += texts.length;
        schedule();
      });
    },
  };
}

function cancelled(): AppError {
  return new AppError('REQUEST_CANCELLED', 'The client closed the request before it was scored; nothing was scored for it.');
}
