/** The agent's log: one JSON object per line on stderr (level, code when it is a documented error, message). */
export type Level = 'info' | 'warn' | 'error';
export interface AgentLog {
  (level: Level, msg: string, extra?: Record<string, unknown>): void;
}

export function stderrLog(device: string): AgentLog {
  return (level, msg, extra = {}) => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, device, msg, ...extra })}\n`);
  };
}

/** Exponential backoff with full jitter: a random wait in [base/2, min(max, base·2^attempt)]. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(cap / 2 + Math.random() * (cap / 2));
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
