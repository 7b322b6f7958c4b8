import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { RequestQueue } from './queue.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('bounded request queue', () => {
  it('runs one at a time, queues up to maxQueue, refuses one more with RATE_LIMITED and a retry estimate', async () => {
    const q = new RequestQueue(1, 2);
    const gate = deferred();
    const order: number[] = [];
    const a = q.run(async () => {
      await gate.promise;
      order.push(1);
    });
    const b = q.run(async () => void order.push(2));
    const c = q.run(async () => void order.push(3));
    expect(q.stats()).toMatchObject({ running: 1, waiting: 2 });
    const d = q.run(async () => void order.push(4));
    await expect(d).rejects.toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    const err = (await d.catch((e: unknown) => e)) as AppError;
    expect(err.extra?.retryAfter).toBeGreaterThanOrEqual(1);
    gate.resolve();
    await Promise.all([a, b, c]);
    expect(order).toEqual([1, 2, 3]);
    expect(q.stats()).toMatchObject({ running: 0, waiting: 0, served: 3, rejected: 1 });
  });

  it('internal callers may wait beyond the bound', async () => {
    const q = new RequestQueue(1, 0);
    const gate = deferred();
    const a = q.run(() => gate.promise);
    const b = q.run(async () => 'b', { bounded: false });
    await expect(q.run(async () => 'c')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    gate.resolve();
    await a;
    expect(await b).toBe('b');
  });

  it('a waiting request whose signal aborts leaves the queue; a failing one frees its slot', async () => {
    const q = new RequestQueue(1, 5);
    const gate = deferred();
    const a = q.run(() => gate.promise);
    const ac = new AbortController();
    const b = q.run(async () => 'never', { signal: ac.signal });
    ac.abort(new Error('gone'));
    await expect(b).rejects.toThrow('gone');
    expect(q.stats().waiting).toBe(0);
    gate.resolve();
    await a;
    await expect(q.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await q.run(async () => 'ok')).toBe('ok');
  });

  it('close() fails waiting requests and refuses new ones', async () => {
    const q = new RequestQueue(1, 5);
    const gate = deferred();
    const a = q.run(() => gate.promise);
    const b = q.run(async () => 'x');
    q.close(new AppError('ENDPOINT_NOT_FOUND', 'deleted'));
    await expect(b).rejects.toMatchObject({ code: 'ENDPOINT_NOT_FOUND' });
    await expect(q.run(async () => 'y')).rejects.toMatchObject({ code: 'ENDPOINT_NOT_FOUND' });
    gate.resolve();
    await a;
  });
});
