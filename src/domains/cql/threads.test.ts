/**
 * What crosses to a rule thread per evaluation (issue 17): the call's own data (the patient's data cut, the order,
 * the Coverage, the libraries to run) and two short keys. The catalog's ELM and the policy table go to a thread
 * only when it lacks that version (the first task, and the first after a change), never with every task; a policy
 * change still reaches the thread's decisions at once. Tasks are read where the pool hands them to piscina.
 */
import { Piscina } from 'piscina';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRuleEngine, type RuleEngineService } from './engine.ts';
import { coverage, openTestDb, patientWith, serviceOrder, silentLogger } from './testing.ts';

let engine: RuleEngineService;
let close: () => Promise<void>;
const sent: Record<string, unknown>[] = [];
/** Every piscina pool a task was run on (its `completed` counts the tasks its threads really answered). */
const pools = new Set<Piscina>();

beforeAll(async () => {
  const opened = await openTestDb();
  close = opened.close;
  engine = createRuleEngine({ db: opened.db, logger: silentLogger, threads: 1 });
  const run = Piscina.prototype.run;
  vi.spyOn(Piscina.prototype, 'run').mockImplementation(function (this: Piscina, task: unknown, options?: Parameters<Piscina['run']>[1]) {
    sent.push(JSON.parse(task as string) as Record<string, unknown>);
    pools.add(this);
    return run.call(this, task, options);
  });
}, 60_000);
afterAll(async () => {
  vi.restoreAllMocks();
  await engine.close();
  await close();
});

describe('a rule thread task', () => {
  it('carries the call and two short keys; the ELM and the policy only when the thread lacks that version', async () => {
    const mri = { hook: 'order-sign' as const, patientBundle: patientWith([]), order: serviceOrder(), coverage: coverage('acme-standard', 'Acme Standard') };
    expect(await engine.evaluateOrder(mri)).toMatchObject({ paNeeded: 'auth-needed' }); // the default table: 72148 needs PA
    expect(await engine.evaluateOrder(mri)).toMatchObject({ paNeeded: 'auth-needed' });
    const before = await engine.getPolicy();
    await engine.putPolicy([...before.rows.filter((r) => !(r.code === '72148' && r.plan === 'acme-standard')), { plan: 'acme-standard', system: 'cpt', code: '72148', display: 'MRI lumbar spine', requirement: 'none' }]);
    expect(await engine.evaluateOrder(mri)).toMatchObject({ covered: 'covered', paNeeded: 'no-auth' }); // the new table, on the thread
    expect(await engine.evaluateOrder(mri)).toMatchObject({ covered: 'covered', paNeeded: 'no-auth' });
    await engine.putPolicy(before.rows);
    expect(engine.threadTasks()).toBe(4);

    const orders = sent.filter((t) => t.kind === 'order');
    const plain = orders.filter((t) => !('catalog' in t) && !('policy' in t));
    const resent = orders.filter((t) => 'policy' in t);
    // 4 evaluations: the first and the first after the policy change were asked for the shared state and resent
    expect(plain).toHaveLength(4);
    expect(resent).toHaveLength(2);
    for (const t of plain) {
      expect(Object.keys(t).sort()).toEqual(['bundle', 'catalogKey', 'coverage', 'kind', 'libraries', 'order', 'policyKey']);
      expect((t.catalogKey as string).length).toBeLessThanOrEqual(22);
    }
    const [first, changed] = resent as { catalog: { key: string; elm: object }; policy: { key: string; rows: unknown[] }; policyKey: string }[];
    expect(first!.catalog.elm).toHaveProperty('TablePolicy');
    expect(first!.policy.rows).toEqual(before.rows.map((r) => ({ ...r, docNeeded: r.docNeeded ?? null, note: r.note ?? null })));
    expect(changed!.policy.key).not.toBe(first!.policy.key);
    expect(changed!.policyKey).toBe(changed!.policy.key);
    expect(plain.map((t) => t.policyKey)).toEqual([first!.policy.key, first!.policy.key, changed!.policy.key, changed!.policy.key]);
  }, 60_000);
});

describe('a full evaluation queue', () => {
  it('refuses with RATE_LIMITED without running the refused task later, and close() lets the task in flight answer', async () => {
    // piscina 5.3.2 with maxQueue 0 rejected a task ("No task queue available") yet left it queued: the thread ran
    // every refused evaluation later, and one still running at close() answered into a closed port, an uncaught
    // "Unexpected message from Worker" (seen in CI in rulePool.test.ts). threads 1, maxQueue 1: one place in all.
    const opened = await openTestDb();
    const small = createRuleEngine({ db: opened.db, logger: silentLogger, threads: 1, maxQueue: 1 });
    try {
      const mri = { hook: 'order-sign' as const, patientBundle: patientWith([]), order: serviceOrder(), coverage: coverage('acme-standard', 'Acme Standard') };
      await small.evaluateOrder(mri); // the thread starts and takes the catalog (two tasks)
      const pool = [...pools].at(-1)!;
      const errors: Error[] = [];
      pool.on('error', (err: Error) => errors.push(err));
      const answers = await Promise.allSettled(Array.from({ length: 10 }, () => small.evaluateOrder(mri)));
      const refused = answers.filter((a) => a.status === 'rejected');
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'RATE_LIMITED' });
      const answered = answers.length - refused.length;
      await small.evaluateOrder(mri); // FIFO: any refused task left in piscina's queue would run before this one
      expect(pool.completed).toBe(2 + answered + 1);
      expect(small.threadTasks()).toBe(1 + answered + 1);

      const before = sent.length;
      const last = small.evaluateOrder(mri);
      await vi.waitFor(() => expect(sent.length).toBe(before + 1)); // the task is on the thread
      await small.close();
      await expect(last).resolves.toMatchObject({ paNeeded: 'auth-needed' });
      expect(errors).toEqual([]);
    } finally {
      await small.close();
      await opened.close();
    }
  }, 60_000);
});

describe('queueSplit (the evaluation queue between the threads and piscina)', () => {
  it('puts up to 64 waiting tasks in each thread and the rest of maxQueue in piscina’s queue', async () => {
    const { queueSplit } = await import('./threads.ts');
    // hand-computed: default 128 places per thread → 64 in the thread + 64 queued; small queues stay whole
    expect(queueSplit(1, 128)).toEqual({ inThread: 64, pooled: 64 });
    expect(queueSplit(3, 1000)).toEqual({ inThread: 64, pooled: 1000 - 3 * 64 });
    expect(queueSplit(2, 10)).toEqual({ inThread: 5, pooled: 0 });
    expect(queueSplit(1, 1)).toEqual({ inThread: 1, pooled: 0 });
    expect(queueSplit(4, 0)).toEqual({ inThread: 1, pooled: 0 }); // a thread always takes the task it runs
  });
});
