/**
 * Delivers the outbox: heartbeats first (the server learns the device's state), then results in batches, then
 * feedback images one by one. An item leaves the outbox only after a 2xx; the server is idempotent by id, so a reply
 * lost on the way back only means the item is sent again and stored once. No answer or a 5xx → backoff with jitter;
 * 401 (revoked / unknown token) → the error is reported and retried at the slowest pace; any other 4xx means the item
 * can never be accepted: it is moved to `<data>/outbox-rejected/` with the reason, never retried forever.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { EdgeResult } from '../domains/edge/protocol.ts';
import type { DeviceClient, Failure } from './client.ts';
import { backoffMs, sleep, type AgentLog } from './log.ts';
import type { Outbox, OutboxItem, OutboxKind } from './outbox.ts';

export interface SyncDeps {
  outbox: Outbox;
  client: DeviceClient;
  log: AgentLog;
  signal: AbortSignal;
  pollMs: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  onError(e: Failure | null): void;
}

export function createSync(d: SyncDeps) {
  let wake: (() => void) | undefined;
  let pending = false;
  let attempt = 0;

  function reject(kind: OutboxKind, items: OutboxItem[], f: Failure): void {
    for (const it of items) {
      const dir = join(dirname(dirname(it.file)), '..', 'outbox-rejected', kind);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, basename(it.file)), JSON.stringify(it.body));
      writeFileSync(join(dir, `${basename(it.file)}.reason`), `${f.code}: ${f.message}\n`);
      d.outbox.remove(kind, it.file);
    }
    d.log('error', `the server refused ${items.length} ${kind} item(s): ${f.message}`, { code: f.code });
  }

  /** One pass over the outbox; returns the failure that stopped it, or null when all was sent. */
  async function flush(): Promise<Failure | null> {
    for (const hb of d.outbox.take('heartbeats', 20)) {
      const r = await d.client.call('POST', '/heartbeat', hb.body);
      if (!r.ok && r.failure.kind !== 'rejected') return r.failure;
      if (!r.ok) reject('heartbeats', [hb], r.failure);
      else d.outbox.remove('heartbeats', hb.file);
    }
    for (;;) {
      const batch = d.outbox.take<EdgeResult>('results', 200);
      if (batch.length === 0) break;
      const r = await d.client.call('POST', '/results', { results: batch.map((b) => b.body) });
      if (!r.ok && r.failure.kind !== 'rejected') return r.failure;
      if (!r.ok) reject('results', batch, r.failure);
      else for (const b of batch) d.outbox.remove('results', b.file);
    }
    for (;;) {
      const items = d.outbox.take('feedback', 4);
      if (items.length === 0) break;
      for (const fb of items) {
        const r = await d.client.call('PUT', `/feedback/${encodeURIComponent(fb.id)}`, fb.body, 60_000);
        if (!r.ok && r.failure.kind !== 'rejected') return r.failure;
        if (!r.ok) reject('feedback', [fb], r.failure);
        else d.outbox.remove('feedback', fb.file);
      }
    }
    return null;
  }

  return {
    /** Wakes the loop now (a new item was queued). */
    kick(): void {
      pending = true;
      wake?.();
    },
    async loop(): Promise<void> {
      while (!d.signal.aborted) {
        pending = false;
        const failure = await flush().catch((err: Error): Failure => ({ kind: 'offline', status: 0, code: 'EDGE_SERVER_UNREACHABLE', message: err.message }));
        let waitMs = d.pollMs * 5;
        if (failure) {
          d.onError(failure);
          // A revoked token will not heal by itself: retry at the slowest pace.
          waitMs = failure.kind === 'auth' ? d.maxBackoffMs : backoffMs(attempt++, d.baseBackoffMs, d.maxBackoffMs);
        } else {
          if (attempt > 0) d.onError(null);
          attempt = 0;
        }
        if (!failure && pending) continue; // queued while this pass ran
        // Online, a kick (new item) ends the wait at once; offline, the backoff is served in full.
        const kicked = new Promise<void>((resolve) => (wake = failure ? undefined : resolve));
        await Promise.race([sleep(waitMs, d.signal), kicked]);
        wake = undefined;
      }
    },
  };
}
