/**
 * Fine-tuning through a real Slurm cluster on this machine (issue 16): scripts/slurm/up.sh (munge, slurmctld, one
 * slurmd) runs a 2-process DDP job submitted by the slurm launcher — sbatch, squeue, the output file streamed — and
 * scripts/slurm/up-netns.sh (two slurmd in two network namespaces joined by a veth pair) runs one worker per "node",
 * so gloo's traffic crosses the veth link. Bad input: an unknown partition and a world size over the allocation are
 * refused before anything is submitted; cancel reaches scancel. Needs root and slurm-wlm: skipped with a message
 * where they are missing, and failing in CI (CI=1), where .ci/run installs them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFinetuneService, createSlurmLauncher, type FinetuneService } from '../../src/domains/finetune/index.ts';
import { HAS_TINY, HAS_TORCH, instructionRows, smallSpec, TINY_GGUF } from '../../src/domains/finetune/testing.ts';
import { EmbeddedJobQueue } from '../../src/jobs/embedded.ts';
import { openDatabase } from '../../src/storage/db.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/storage/schema.ts';

const SCRIPTS = resolve(import.meta.dirname, '../../scripts/slurm');
const inCi = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const why = process.getuid?.() !== 0 ? 'not root' : !existsSync('/usr/sbin/slurmctld') ? 'slurm-wlm is not installed' : !HAS_TINY ? 'the tiny llama is absent' : !HAS_TORCH ? 'no torch' : null;
if (why && inCi) throw new Error(`the Slurm fine-tuning tests cannot run in CI: ${why}`);

/** Runs an up script and returns its exported variables. */
function up(script: string): Record<string, string> {
  const out = execFileSync('bash', [join(SCRIPTS, script)], { encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', 'inherit'] });
  return Object.fromEntries([...out.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

describe.skipIf(why !== null)(`fine-tuning on Slurm${why ? ` — skipped: ${why}` : ''}`, () => {
  let dir: string;
  let db: Kysely<Database>;
  let queue: EmbeddedJobQueue;
  let one: FinetuneService;
  let upload: string;

  function service(slurm: Parameters<typeof createSlurmLauncher>[0], q: EmbeddedJobQueue, root: string): FinetuneService {
    return createFinetuneService({
      db, queue: q, root,
      sources: { baseModel: async () => ({ path: TINY_GGUF, architecture: 'llama', name: 'tiny', version: 1, license: 'mit' }), datasetFile: async () => { throw new Error('no datasets here'); } },
      catalog: { register: async () => { throw new Error('not exported here'); }, deploy: async () => 'created' },
      launchers: { slurm: createSlurmLauncher({ pollMs: 500, ...slurm }) },
    });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-ft-slurm-'));
    const env = up('up.sh');
    process.env.SLURM_CONF = env.SLURM_CONF;
    db = await openDatabase(`sqlite:${join(dir, 'db.sqlite')}`);
    queue = new EmbeddedJobQueue(db, { concurrency: 2 });
    one = service({}, queue, join(dir, 'one'));
    await queue.startWorker();
    upload = (await one.upload('train.jsonl', Readable.from([instructionRows(120)]))).id;
  }, 240_000);

  afterAll(async () => {
    await queue?.close();
    await db?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const slurmSpec = (over: Record<string, unknown> = {}) => smallSpec('tiny', upload, { parallel: { dataParallel: 2 }, launcher: { type: 'slurm', partition: 'debug', nodes: 1, time: '10:00' }, ...over });

  it('refuses an unknown partition and a world size over the allocation before submitting anything', async () => {
    await expect(one.create(slurmSpec({ name: 'nopart', launcher: { type: 'slurm', partition: 'gpu-h100' } }))).rejects.toMatchObject({ code: 'FINETUNE_PARTITION_UNKNOWN', problems: [{ field: 'launcher.partition', fix: 'Use one of: debug.' }] });
    await expect(one.create(slurmSpec({ name: 'toobig', parallel: { dataParallel: 64 } }))).rejects.toMatchObject({ code: 'FINETUNE_WORLD_SIZE_TOO_LARGE', problems: [{ field: 'parallel.dataParallel' }] });
    expect((await one.list()).items).toEqual([]);
  }, 120_000);

  it('a 2-process DDP job through sbatch on the one-node cluster completes with metrics', async () => {
    const run = await one.create(slurmSpec({ name: 'slurm1' }));
    const done = await one.wait(run.id, 400_000);
    expect(done.job?.status, JSON.stringify(done.job?.error)).toBe('succeeded');
    expect(done.launchId).toMatch(/^\d+$/);
    expect(done.summary).toMatchObject({ worldSize: 2, step: 12, done: true });
    expect(done.summary.evalLoss!).toBeLessThan(done.summary.baseEvalLoss!);
    const script = readFileSync(join(dir, 'one', 'runs', run.id, 'sbatch.sh'), 'utf8');
    expect(script).toContain('#SBATCH --partition=debug');
    const logs = (await one.logs(run.id)).map((l) => l.message).join('\n');
    expect(logs).toMatch(/submitted Slurm job \d+/);
    expect(logs).toMatch(/rendezvous 127\.0\.0\.1:\d+/);
    expect((await one.series(run.id, ['loss'])).loss).toHaveLength(12);
  }, 420_000);

  it('cancel reaches scancel: the job ends cancelled and leaves the Slurm queue', async () => {
    const run = await one.create(slurmSpec({ name: 'slurmcancel', hp: { lr: 0.003, warmupSteps: 2, maxSteps: 5000, seqLen: 64, microBatch: 4, globalBatch: 8, evalEvery: 1000, checkpointEvery: 1000 } }));
    await vi.waitFor(async () => expect((await one.get(run.id)).summary.step).toBeGreaterThan(0), { timeout: 120_000, interval: 500 });
    const slurmId = (await one.get(run.id)).launchId!;
    await one.cancel(run.id);
    const done = await one.wait(run.id, 60_000);
    expect(done.status).toBe('cancelled');
    expect(execFileSync('squeue', ['-h', '-j', slurmId, '-o', '%T'], { encoding: 'utf8' }).trim()).toBe('');
    expect(execFileSync('scontrol', ['show', 'job', '-o', slurmId], { encoding: 'utf8' })).toMatch(/JobState=CANCELLED/);
  }, 240_000);

  it('two Slurm nodes in two network namespaces: one worker each, DDP across the veth pair', async () => {
    const env = up('up-netns.sh');
    const q2 = new EmbeddedJobQueue(db, { concurrency: 1 });
    // Its own queue and job registry (the same job type, another launcher configuration), on the same database.
    const two = service({ wrap: ['env', `SLURM_CONF=${env.SAGEBRUSH_SLURM_NETNS2_CONF}`, 'nsenter', `--net=/run/netns/${env.SAGEBRUSH_SLURM_NETNS2_NS!}`], env: { GLOO_SOCKET_IFNAME: 'sbft' } }, q2, join(dir, 'one')); // the same uploads and runs folder
    await q2.startWorker();
    await queue.stopWorker(); // the first queue must not pick this job up
    try {
      const run = await two.create(slurmSpec({ name: 'slurm2', launcher: { type: 'slurm', partition: 'nodes2', nodes: 2, time: '10:00' } }));
      const done = await two.wait(run.id, 400_000);
      expect(done.job?.status, JSON.stringify(done.job?.error)).toBe('succeeded');
      expect(done.summary).toMatchObject({ worldSize: 2, done: true });
      const log = readFileSync(join(dir, 'one', 'runs', run.id, `slurm-${done.launchId}.out`), 'utf8');
      expect(log).toMatch(/on sbnode(\[a-b\]|a,sbnodeb), rendezvous 10\.231\.0\.1:\d+/);
    } finally {
      await q2.close();
      await queue.startWorker();
    }
  }, 480_000);
});
