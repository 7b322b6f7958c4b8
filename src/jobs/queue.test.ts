/**
 * One suite for every queue backend: embedded on SQLite (always) and on PostgreSQL, BullMQ on Redis
 * (when their services are configured; under CI a missing one fails). Each test gets a fresh
 * database and, for BullMQ, a unique queue name and key prefix. Calling `env.queue()` twice gives two
 * queues on the same database/Redis queue, standing in for two processes.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../core/errors.ts';
import { nowIso } from '../core/ids.ts';
import { skipBackend } from '../storage/testing.ts';
import { z } from 'zod';
import { anyJob as h, queueBackends, type QueueTestEnv, type TestQueue } from './testing.ts';
import type { Job, JobEvent } from './types.ts';

const backends = queueBackends();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the job's row says running (claimed; its handler may not have been called yet). */
async function running(q: TestQueue, id: string): Promise<void> {
  await vi.waitFor(async () => expect((await q.get(id)).status).toBe('running'), { timeout: 5000, interval: 20 });
}

for (const b of backends) {
  describe.skipIf(skipBackend(b))(`job queue: ${b.name}`, () => {
    let env: QueueTestEnv | undefined;
    const open = async () => (env = await b.open());
    afterEach(async () => {
      await env?.cleanup();
      env = undefined;
    });

    it('enqueues, runs and records the result', async () => {
      const q = await (await open()).queue();
      q.register(h<{ n: number }>('double', async ({ job }) => ({ doubled: job.payload.n * 2 })));
      await q.startWorker();
      const job = await q.enqueue('double', { n: 21 });
      expect(job).toMatchObject({ status: 'queued', attempts: 0, payload: { n: 21 }, idempotent: false });
      const done = await q.wait(job.id, { timeoutMs: 10_000 });
      expect(done).toMatchObject({ status: 'succeeded', result: { doubled: 42 }, progress: 1, attempts: 1, error: null });
      expect(done.startedAt && done.finishedAt && done.finishedAt >= done.startedAt).toBeTruthy();
    });

    it('records failures with their code and problems; other errors are INTERNAL', async () => {
      const q = await (await open()).queue();
      const problems = [{ row: 3, field: 'label', problem: 'empty', fix: 'add a label' }];
      q.register(h('bad', async () => { throw new AppError('VALIDATION_FAILED', 'row 3 is bad', { problems }); }));
      q.register(h('boom', async () => { throw new Error('kaput'); }));
      await q.startWorker();
      const bad = await q.wait((await q.enqueue('bad', {})).id, { timeoutMs: 10_000 });
      expect(bad).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAILED', message: 'row 3 is bad', problems } });
      const boom = await q.wait((await q.enqueue('boom', {})).id, { timeoutMs: 10_000 });
      expect(boom).toMatchObject({ status: 'failed', error: { code: 'INTERNAL', message: 'kaput' } });
      expect((await q.logs(boom.id)).at(-1)).toMatchObject({ level: 'error', message: 'INTERNAL: kaput' });
    });

    it('rejects unknown types and invalid payloads at enqueue, creating nothing', async () => {
      const q = await (await open()).queue();
      q.register(h('typed', async () => null, { payload: z.object({ n: z.number() }) }));
      await expect(q.enqueue('nope', {})).rejects.toMatchObject({ code: 'JOB_TYPE_UNKNOWN', message: expect.stringContaining('typed') });
      await expect(q.enqueue('typed', null)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(q.enqueue('typed', { n: 'x' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', problems: [expect.objectContaining({ field: 'n' })] });
      expect((await q.list()).items).toEqual([]);
      await expect(q.get('job_missing')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    });

    it('streams throttled progress events and always writes the final state', async () => {
      const q = await (await open()).queue();
      q.register(h('steps', async ({ progress }) => {
        for (let i = 1; i <= 200; i++) {
          await progress(i / 200, `step ${i}`);
          await sleep(3);
        }
        return 'ok';
      }));
      await q.startWorker();
      const events: JobEvent[] = [];
      const unsubscribe = q.subscribe((e) => events.push(e));
      const t0 = Date.now();
      const job = await q.enqueue('steps', {});
      await q.wait(job.id, { timeoutMs: 20_000 });
      const elapsed = Date.now() - t0;
      await vi.waitFor(() => expect(events.at(-1)?.status).toBe('succeeded'), { timeout: 3000 });
      unsubscribe();
      const progressEvents = events.filter((e) => e.status === 'running' && e.progress > 0);
      expect(progressEvents.length).toBeGreaterThan(0);
      expect(progressEvents.length).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 2); // ≤ 4 writes/s
      expect(events[0]).toMatchObject({ jobId: job.id, status: 'queued' });
      expect(events.at(-1)).toMatchObject({ jobId: job.id, status: 'succeeded', progress: 1, message: 'step 200' });
    });

    it('cancels a queued job at once; it never runs', async () => {
      const q = await (await open()).queue();
      const run = vi.fn(async () => 'ran');
      q.register(h('later', run));
      const job = await q.enqueue('later', {});
      expect(await q.cancel(job.id)).toMatchObject({ status: 'cancelled', cancelRequested: true });
      await q.startWorker();
      await sleep(200);
      expect(run).not.toHaveBeenCalled();
      expect((await q.get(job.id)).status).toBe('cancelled');
      expect((await q.cancel(job.id)).status).toBe('cancelled'); // cancelling twice is fine
    });

    it('cancels a running job through its signal', async () => {
      const q = await (await open()).queue();
      let sawAbort = false;
      q.register(h('forever', ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => { sawAbort = true; reject(signal.reason); }))));
      await q.startWorker();
      const job = await q.enqueue('forever', {});
      await running(q, job.id);
      expect((await q.cancel(job.id)).cancelRequested).toBe(true);
      const done = await q.wait(job.id, { timeoutMs: 10_000 });
      expect(done).toMatchObject({ status: 'cancelled', error: null });
      expect(sawAbort).toBe(true);
    });

    it('cancels a job running in another process (polled cancel_requested)', async () => {
      const e = await open();
      const worker = await e.queue();
      const api = await e.queue();
      const loop = h('loop', async ({ signal }) => { while (!signal.aborted) await sleep(10); return 'stopped'; });
      worker.register(loop);
      api.register(loop);
      await worker.startWorker();
      const job = await api.enqueue('loop', {});
      await running(api, job.id);
      await api.cancel(job.id);
      expect(await api.wait(job.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'cancelled' });
      await expect(api.cancel((await api.enqueue('loop', {})).id)).resolves.toBeTruthy();
    });

    it('refuses to cancel a finished job', async () => {
      const q = await (await open()).queue();
      q.register(h('quick', async () => 1));
      await q.startWorker();
      const job = await q.wait((await q.enqueue('quick', {})).id, { timeoutMs: 10_000 });
      await expect(q.cancel(job.id)).rejects.toMatchObject({ code: 'JOB_NOT_CANCELLABLE' });
    });

    it('recovers jobs left running by a dead process: failed INTERRUPTED, idempotent ones re-run', async () => {
      const q = await (await open()).queue();
      const runs: string[] = [];
      q.register(h('plain', async () => 'x'));
      q.register(h('safe', async ({ job }) => { runs.push(job.id); return 'again'; }, { idempotent: true }));
      const old = new Date(Date.now() - 3_600_000).toISOString();
      const orphan = async (type: string, attempts: number) => {
        const job = await q.store.insert({ id: `job_${type}_${attempts}_${randomBytes(3).toString('hex')}`, type, payload: {}, idempotent: type === 'safe' });
        await q.store.db.updateTable('jobs').set({ status: 'running', attempts, started_at: old, updated_at: old }).where('id', '=', job.id).execute();
        return job.id;
      };
      const plain = await orphan('plain', 1);
      const safe = await orphan('safe', 1);
      const exhausted = await orphan('safe', 3);
      const fresh = await q.store.insert({ id: 'job_fresh', type: 'plain', payload: {}, idempotent: false });
      await q.store.db.updateTable('jobs').set({ status: 'running', attempts: 1, updated_at: nowIso() }).where('id', '=', fresh.id).execute();
      await q.startWorker();
      expect(await q.wait(plain, { timeoutMs: 10_000 })).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTED', message: 'the process running this job stopped' } });
      expect(await q.wait(safe, { timeoutMs: 10_000 })).toMatchObject({ status: 'succeeded', result: 'again', attempts: 2 });
      expect(await q.wait(exhausted, { timeoutMs: 10_000 })).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTED' } });
      expect(runs).toEqual([safe]);
      expect((await q.get(fresh.id)).status).toBe('running'); // within its lease: someone else's live job
      expect((await q.logs(plain)).map((l) => l.message)).toContain('interrupted: failed');
    });

    it('on stopWorker, interrupts running jobs: failed, or re-queued when idempotent', async () => {
      const q = await (await open()).queue();
      const started = new Set<string>();
      const waitAbort = ({ job, signal }: { job: Job; signal: AbortSignal }) => new Promise<never>((_, reject) => {
        started.add(job.id);
        signal.addEventListener('abort', () => reject(signal.reason));
      });
      q.register(h('a', waitAbort));
      q.register(h('b', waitAbort, { idempotent: true }));
      await q.startWorker({ concurrency: 2 });
      const a = await q.enqueue('a', {});
      const bJob = await q.enqueue('b', {});
      // The handlers themselves have started (a row marked running may not have reached its handler yet: next test).
      await vi.waitFor(() => expect([...started].sort()).toEqual([a.id, bJob.id].sort()), { timeout: 5000, interval: 10 });
      await q.stopWorker();
      expect(await q.get(a.id)).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTED' } });
      expect(await q.get(bJob.id)).toMatchObject({ status: 'queued', attempts: 1 });
    });

    it('on stopWorker during a claim, hands the claimed job back instead of running it or leaving it running', async () => {
      const q = await (await open()).queue();
      const ran: string[] = [];
      q.register(h('plain', async ({ job }) => { ran.push(job.id); return 'done'; }));
      // Hold the claim after its UPDATE committed: the row says running, the handler has not been called.
      let claimed!: () => void;
      let release!: () => void;
      const committed = new Promise<void>((r) => (claimed = r));
      const gate = new Promise<void>((r) => (release = r));
      const hold = async (job: Job | undefined) => {
        if (job) {
          claimed();
          await gate;
        }
        return job;
      };
      const { claimNext, claim } = { claimNext: q.store.claimNext.bind(q.store), claim: q.store.claim.bind(q.store) };
      vi.spyOn(q.store, 'claimNext').mockImplementation(async (types) => hold(await claimNext(types))); // embedded
      vi.spyOn(q.store, 'claim').mockImplementation(async (id) => hold(await claim(id))); // BullMQ
      await q.startWorker();
      const job = await q.enqueue('plain', {});
      await committed;
      expect((await q.get(job.id)).status).toBe('running');
      const stopping = q.stopWorker();
      release();
      await stopping;
      await sleep(50);
      expect(ran).toEqual([]);
      expect(await q.get(job.id)).toMatchObject({ status: 'queued', startedAt: null, message: 'handed back: the worker stopped before starting it' });
      vi.restoreAllMocks();
      await q.startWorker();
      expect(await q.wait(job.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'succeeded', result: 'done' });
      expect(ran).toEqual([job.id]);
    });

    it('records a handler that ignores the signal as interrupted after the grace period', async () => {
      const q = await (await open()).queue({ timings: { shutdownGraceMs: 200 } });
      let release!: () => void;
      q.register(h('stubborn', () => new Promise((r) => (release = () => r('late')))));
      await q.startWorker();
      const job = await q.enqueue('stubborn', {});
      await running(q, job.id);
      await q.stopWorker();
      release();
      await sleep(100);
      expect(await q.get(job.id)).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTED' } });
    });

    it('two workers sharing one database never run a job twice', async () => {
      const e = await open();
      const counts = new Map<string, number>();
      const work = h('count', async ({ job }) => { counts.set(job.id, (counts.get(job.id) ?? 0) + 1); await sleep(5); return null; });
      const [a, bq] = [await e.queue(), await e.queue()];
      a.register(work);
      bq.register(work);
      await Promise.all([a.startWorker({ concurrency: 3 }), bq.startWorker({ concurrency: 3 })]);
      const jobs: Job[] = [];
      for (let i = 0; i < 16; i++) jobs.push(await (i % 2 ? a : bq).enqueue('count', { i }));
      for (const j of jobs) expect((await a.wait(j.id, { timeoutMs: 20_000 })).status).toBe('succeeded');
      expect([...counts.values()]).toEqual(jobs.map(() => 1));
    });

    it('keeps logs in order and pages through them', async () => {
      const q = await (await open()).queue();
      q.register(h('chatty', async ({ log }) => { await log('one'); await log('two', 'warn'); await log('three', 'debug'); return null; }));
      await q.startWorker();
      const job = await q.wait((await q.enqueue('chatty', {})).id, { timeoutMs: 10_000 });
      expect((await q.logs(job.id)).map((l) => [l.level, l.message])).toEqual([['info', 'one'], ['warn', 'two'], ['debug', 'three']]);
      expect((await q.logs(job.id, { after: 2 })).map((l) => l.message)).toEqual(['three']);
      await expect(q.logs('job_missing')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    });

    it('lists jobs newest first with filters and cursor pagination', async () => {
      const q = await (await open()).queue();
      q.register(h('x', async () => null));
      q.register(h('y', async () => null));
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await q.enqueue(i < 3 ? 'x' : 'y', { i })).id);
      await q.cancel(ids[0]!);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await q.list({ limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((j) => j.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual([...ids].sort().reverse());
      expect((await q.list({ type: 'x', status: 'queued' })).items.map((j) => j.id)).toEqual([ids[2], ids[1]].sort().reverse());
      expect((await q.list({ status: 'cancelled' })).items.map((j) => j.id)).toEqual([ids[0]]);
    });

    it('wait() times out or stops on its signal without changing the job', async () => {
      const q = await (await open()).queue();
      q.register(h('idle', async () => null));
      const job = await q.enqueue('idle', {});
      await expect(q.wait(job.id, { timeoutMs: 150 })).rejects.toMatchObject({ message: expect.stringContaining('did not finish within 150 ms') });
      const ac = new AbortController();
      setTimeout(() => ac.abort(new Error('client went away')), 50);
      await expect(q.wait(job.id, { signal: ac.signal })).rejects.toThrow('client went away');
      expect((await q.get(job.id)).status).toBe('queued');
    });

    it('enqueues under an id the caller chose (a taken one is CONFLICT, storing nothing); idempotency may depend on the payload', async () => {
      const q = await (await open()).queue();
      q.register(h<{ safe: boolean }>('maybe', async () => 'ok', { idempotent: (p: { safe: boolean }) => p.safe }));
      const id = `job_chosen${randomBytes(4).toString('hex')}`;
      expect(await q.enqueue('maybe', { safe: true }, { id })).toMatchObject({ id, idempotent: true });
      await expect(q.enqueue('maybe', { safe: false }, { id })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(q.enqueue('maybe', { safe: false }, { id: 'not-a-job-id' })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await q.enqueue('maybe', { safe: false })).idempotent).toBe(false);
      expect((await q.list()).items).toHaveLength(2);
      await q.startWorker();
      expect(await q.wait(id, { timeoutMs: 10_000 })).toMatchObject({ status: 'succeeded', payload: { safe: true } });
    });

    it('runs a job whose row is queued but was never handed to the backend (its enqueuer died in between), once', async () => {
      const q = await (await open()).queue({ timings: { leaseMs: 300 } });
      let runs = 0;
      q.register(h('lost', async () => ++runs));
      // The row as an enqueue that was killed after its insert leaves it: queued, nothing in Redis.
      const job = await q.store.insert({ id: `job_lost${randomBytes(4).toString('hex')}`, type: 'lost', payload: {}, idempotent: false });
      await q.startWorker();
      expect(await q.wait(job.id, { timeoutMs: 10_000 })).toMatchObject({ status: 'succeeded', result: 1, attempts: 1 });
      await sleep(700); // later recovery ticks find nothing queued to re-send
      expect(runs).toBe(1);
    });
  });
}
