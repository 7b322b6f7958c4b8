/**
 * A batch's documents as one shared pool of work (issue 17): the scoring threads and the job's own thread claim
 * chunks from one counter in shared memory (Atomics), score them into one shared score array and mark each chunk
 * done there. A pool thread then never waits for the job's thread to send it its next chunk: with chunks sent one
 * by one, a pool thread ran dry whenever the job's thread was busy or descheduled (measured on jigsaw-10k under a
 * shared machine's load: 20 ms of a 130 ms batch), and it could not take over the job thread's share. Chunk sizes
 * are a share of what is left (guided self-scheduling), so every thread ends at about the same time.
 */

/** Scoring state shared by every thread working on one run of documents. */
export interface SharedChunks {
  /** [NEXT] = the first document nobody claimed; [COUNT] = documents in all; [CLAIMERS] = threads claiming. */
  ctl: Int32Array;
  /** ends[a] = b once documents [a, b) are scored (0 before). */
  ends: Int32Array;
  /** Probabilities, documents × labels. */
  scores: Float32Array;
}

const NEXT = 0, COUNT = 1, CLAIMERS = 2;
/** The largest chunk (documents) a pool thread claims; the job's thread, which also writes the lines, claims ≤ LOCAL_MAX. */
export const POOL_MAX = 500;
export const LOCAL_MAX = 125;
/** The smallest chunk (~2–5 ms of scoring): claiming costs well under a microsecond. */
export const MIN_CHUNK = 32;

export function createSharedChunks(count: number, labels: number, claimers: number): SharedChunks {
  const ctl = new Int32Array(new SharedArrayBuffer(12));
  ctl[COUNT] = count;
  ctl[CLAIMERS] = Math.max(1, claimers);
  return { ctl, ends: new Int32Array(new SharedArrayBuffer(4 * Math.max(1, count))), scores: new Float32Array(new SharedArrayBuffer(4 * Math.max(1, count * labels))) };
}

/** Claims the next chunk, [start, end), or returns null when every document is claimed. */
export function claimChunk(c: SharedChunks, max: number): [number, number] | null {
  const ctl = c.ctl, count = ctl[COUNT]!, claimers = ctl[CLAIMERS]!;
  for (;;) {
    const next = Atomics.load(ctl, NEXT);
    if (next >= count) return null;
    const size = Math.max(MIN_CHUNK, Math.min(max, Math.ceil((count - next) / (claimers * 2))));
    const end = Math.min(count, next + size);
    if (Atomics.compareExchange(ctl, NEXT, next, end) === next) return [next, end];
  }
}

/** Marks [start, end) scored (after its scores are written: Atomics orders the two for the other threads). */
export function markDone(c: SharedChunks, start: number, end: number): void {
  Atomics.store(c.ends, start, end);
}

/** Stops further claims (an error or a cancellation): chunks being scored still finish. */
export function stopClaims(c: SharedChunks): void {
  Atomics.store(c.ctl, NEXT, c.ctl[COUNT]!);
}

/** The end of the run of scored documents that starts at `from` (from itself when document `from` is not scored yet). */
export function scoredUntil(c: SharedChunks, from: number): number {
  const count = c.ctl[COUNT]!;
  let at = from;
  while (at < count) {
    const end = Atomics.load(c.ends, at);
    if (end === 0) break;
    at = end;
  }
  return at;
}

/**
 * A pool thread's side: claims and scores chunks until none is left; `score(texts, out)` writes a chunk's
 * probabilities into `out`. Returns the number of documents it scored.
 */
export function scoreClaimed(c: SharedChunks, texts: readonly string[], labels: number, score: (texts: readonly string[], out: Float32Array) => void): number {
  let done = 0;
  for (let chunk = claimChunk(c, POOL_MAX); chunk; chunk = claimChunk(c, POOL_MAX)) {
    const [start, end] = chunk;
    score(texts.slice(start, end), c.scores.subarray(start * labels, end * labels));
    markDone(c, start, end);
    done += end - start;
  }
  return done;
}
