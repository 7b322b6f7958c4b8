/** Test helper (not imported by production code): polls a condition until it holds or the time is up. */

export interface UntilOptions {
  /** Give up after this many milliseconds. */
  ms?: number;
  /** Wait between tries. */
  intervalMs?: number;
  /** Extra text for the timeout error (e.g. the tail of a child process's output), computed only on timeout. */
  context?: () => string;
}

/**
 * Resolves with the first truthy value of `fn`. A try that throws counts as "not yet" (the server may be
 * restarting); the last error is named in the timeout message, with `context()` when given.
 */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, options: number | UntilOptions = {}): Promise<T> {
  const { ms = 60_000, intervalMs = 250, context } = typeof options === 'number' ? { ms: options } : options;
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last === undefined ? '' : ` (${String(last)})`}${context ? `\n${context()}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
