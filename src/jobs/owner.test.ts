/**
 * Owner stamps and the at-once recovery they allow: a job claimed by a process that is gone (same host) is
 * re-queued or failed INTERRUPTED by recoverOrphans() without waiting for the 30 s lease; a live owner, another
 * host or an unreadable stamp is left to the lease. (The end-to-end proof with kill -9 is test/recovery/kill9.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ownerIsDead, SELF_OWNER, SELF_OWNER_JSON } from './owner.ts';
import { anyJob, queueBackends, type QueueTestEnv } from './testing.ts';

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('owner stamps', () => {
  it('tells a dead process on this host from a live one, and leaves unknowns alone', () => {
    expect(SELF_OWNER.start).toMatch(/^\d+$/);
    expect(ownerIsDead(SELF_OWNER_JSON)).toBe(false);
    expect(ownerIsDead({ ...SELF_OWNER, pid: deadPid() })).toBe(true);
    expect(ownerIsDead({ ...SELF_OWNER, start: String(Number(SELF_OWNER.start) - 1) })).toBe(true); // our pid, an earlier process
    expect(ownerIsDead({ ...SELF_OWNER, pid: process.ppid, start: '1' })).toBe(true); // a pid reused by a later process
    expect(ownerIsDead({ ...SELF_OWNER, pid: deadPid(), host: 'other-host/boot' })).toBe(false);
    expect(ownerIsDead(null)).toBe(false);
    expect(ownerIsDead('not json')).toBe(false);
  });
});

const [sqlite] = queueBackends();
describe('recoverOrphans (embedded on SQLite)', () => {
  let env: QueueTestEnv | undefined;
  afterEach(async () => {
    await env?.cleanup();
    env = undefined;
  });

  it('recovers at once the jobs of a dead owner on this host; jobs of live or unknown owners wait for the lease', async () => {
    env = await sqlite!.open();
    const q = await env.queue();
    q.register(anyJob('plain', async () => 'x'));
    q.register(anyJob('safe', async () => 'x', { idempotent: true }));
    const dead = JSON.stringify({ ...SELF_OWNER, pid: deadPid() });
    const running = async (type: string, owner: string | null) => {
      const job = await q.store.insert({ id: `job_${type}_${Math.random().toString(36).slice(2)}`, type, payload: {}, idempotent: type === 'safe' });
      await q.store.db.updateTable('jobs').set({ status: 'running', attempts: 1, owner, updated_at: new Date().toISOString() }).where('id', '=', job.id).execute();
      return job.id;
    };
    const plain = await running('plain', dead);
    const safe = await running('safe', dead);
    const live = await running('plain', SELF_OWNER_JSON);
    const elsewhere = await running('plain', JSON.stringify({ ...SELF_OWNER, host: 'other/boot' }));
    const unknown = await running('plain', null);
    expect(await q.recoverOrphans()).toEqual({ requeued: 1, failed: 1, cancelled: 0 });
    expect(await q.get(plain)).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTED' } });
    expect(await q.get(safe)).toMatchObject({ status: 'queued', attempts: 1, message: expect.stringMatching(/re-queued/) });
    for (const id of [live, elsewhere, unknown]) expect((await q.get(id)).status).toBe('running');
    expect(await q.recoverOrphans()).toEqual({ requeued: 0, failed: 0, cancelled: 0 }); // idempotent
  });
});
