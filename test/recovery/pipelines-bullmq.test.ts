/**
 * Pipelines scaled out (issue 14, "must show"): PostgreSQL for the metadata, BullMQ on Redis for the jobs, a real
 * `sagebrush serve --no-worker` (where the orchestrator runs) and two real `sagebrush worker` processes. It shows
 * (a) the example pipeline on the bundled Jigsaw sample, widened with two parallel command steps, runs its job steps
 * on both workers and records, per step, the worker process that ran it (never the server); (b) a worker killed -9
 * mid-step: after a restart an idempotent step is re-run and the run completes, a non-idempotent one fails
 * PIPELINE_STEP_INTERRUPTED; (c) the server killed -9 mid-run: the run resumes from the last finished step after a
 * restart. Executions are counted by the command steps (a line per start and end, with the pid of the worker that
 * ran them), by job attempts and by model versions: no finished step runs twice. Needs SAGEBRUSH_TEST_DATABASE_URL
 * and SAGEBRUSH_TEST_REDIS_URL (`eval "$(bash scripts/ci/services.sh)"`): skipped without them, failing under CI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createPgDatabase, missingMessage, skipBackend } from '../../src/storage/testing.ts';
import { filePost, jsonPost, startServer, type ServerProcess } from './server.ts';

const ROOT = join(import.meta.dirname, '../..');
const PG = process.env.SAGEBRUSH_TEST_DATABASE_URL || undefined;
const REDIS = process.env.SAGEBRUSH_TEST_REDIS_URL || undefined;
const missing = !PG ? missingMessage('SAGEBRUSH_TEST_DATABASE_URL', 'PostgreSQL') : !REDIS ? missingMessage('SAGEBRUSH_TEST_REDIS_URL', 'BullMQ') : undefined;

/** A command step's script: logs `start|done NAME WORKER_PID`, waits while its gate file exists, sleeps `ms`. */
const STEP_SCRIPT = `import { appendFileSync, existsSync } from 'node:fs';
let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', async () => {
  const i = JSON.parse(s);
  appendFileSync(i.log, 'start ' + i.name + ' ' + process.ppid + '\\n');
  while (i.gate && existsSync(i.gate)) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, i.ms ?? 0));
  appendFileSync(i.log, 'done ' + i.name + ' ' + process.ppid + '\\n');
  console.log(JSON.stringify({ name: i.name }));
});
`;

interface Proc { child: ChildProcess; pid: number; stderr(): string; kill9(): Promise<void> }

let dir = '';
let data = '';
let dropDb: (() => Promise<void>) | undefined;
const prefix = `sbtest-${randomBytes(4).toString('hex')}`;
const procs: Array<Proc | ServerProcess> = [];
const log = () => join(dir, 'executions.log');
const lines = () => (existsSync(log()) ? readFileSync(log(), 'utf8').trim().split('\n').filter(Boolean) : []);
const count = (what: string) => lines().filter((l) => l.startsWith(`${what} `)).length;
const pidOf = (worker: string | null) => Number(worker?.split('/').at(-1));

/** A real `sagebrush worker` (one job at a time) on the shared config; resolves once it takes jobs. */
async function startWorker(): Promise<Proc> {
  const args = ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), '--data-dir', data, 'worker', '--workers', '1'];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1', SAGEBRUSH_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await vi.waitFor(() => {
    if (child.exitCode !== null) throw new Error(`the worker exited (code ${child.exitCode}):\n${err}`);
    expect(err).toMatch(/worker started/);
  }, { timeout: 120_000, interval: 100 });
  const p: Proc = { child, pid: child.pid!, stderr: () => err, kill9: async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); await exited; } };
  procs.push(p);
  return p;
}

async function server(): Promise<ServerProcess> {
  const s = await startServer(data, { worker: false });
  procs.push(s);
  return s;
}

async function runOf(s: ServerProcess, id: string, until: (r: any) => boolean, timeout = 240_000): Promise<any> {
  let run: any;
  await vi.waitFor(async () => {
    run = (await s.api(`/api/v1/pipelines/runs/${id}`)).body;
    expect(until(run), JSON.stringify(run.steps?.map((x: any) => [x.name, x.status, x.worker, x.error?.code]))).toBe(true);
  }, { timeout, interval: 250 });
  return run;
}
const step = (run: any, name: string) => run.steps.find((s: any) => s.name === name);
const done = (r: any) => ['succeeded', 'failed', 'cancelled'].includes(r.status);

/** first → slow (gated; idempotent or not) → last, all command steps. */
function gated(name: string, idempotent: boolean, gate: string) {
  const cmd = (n: string, extra: object = {}) => ({ name: n, type: 'command', script: 'step.mjs', cache: false, inputs: { name: `${name}.${n}`, log: log(), ...extra }, outputs: { name: 'string' } });
  return { name, steps: [cmd('first'), { ...cmd('slow', { gate }), dependsOn: ['first'], idempotent }, { ...cmd('last'), dependsOn: ['slow'] }] };
}

async function startRun(s: ServerProcess, def: object, params: object = {}): Promise<string> {
  const applied = await s.api('/api/v1/pipelines', jsonPost(def));
  expect(applied.status, JSON.stringify(applied.body)).toBeLessThan(300);
  const res = await s.api(`/api/v1/pipelines/${(def as { name: string }).name}/runs`, jsonPost({ params }));
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id;
}

describe.skipIf(skipBackend({ missing }))('pipelines on PostgreSQL + Redis with two `sagebrush worker` processes', () => {
  let s: ServerProcess;
  let workers: Proc[] = [];

  beforeAll(async () => {
    if (missing) throw new Error(missing);
    dir = mkdtempSync(join(tmpdir(), 'sb-pipelines-bullmq-'));
    data = join(dir, 'data');
    mkdirSync(join(dir, 'scripts'), { recursive: true });
    writeFileSync(join(dir, 'scripts', 'step.mjs'), STEP_SCRIPT);
    const db = await createPgDatabase(PG!);
    dropDb = db.drop;
    // Children (startServer passes this environment on) share the database, the queue and the scripts folder.
    Object.assign(process.env, { SAGEBRUSH_DATABASE_URL: db.url, SAGEBRUSH_QUEUE_URL: REDIS, SAGEBRUSH_QUEUE_PREFIX: prefix, SAGEBRUSH_PIPELINE_SCRIPTS_DIR: join(dir, 'scripts') });
    s = await server();
    workers = [await startWorker(), await startWorker()];
  }, 300_000);

  afterAll(async () => {
    for (const p of procs.splice(0)) await p.kill9();
    for (const k of ['SAGEBRUSH_DATABASE_URL', 'SAGEBRUSH_QUEUE_URL', 'SAGEBRUSH_QUEUE_PREFIX', 'SAGEBRUSH_PIPELINE_SCRIPTS_DIR']) delete process.env[k];
    await dropDb?.();
    if (REDIS) {
      const redis = new Redis(REDIS);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('(a) runs the example pipeline with job steps on both workers, each step recording the worker process that ran it', async () => {
    const up = await s.api('/api/v1/datasets?wait=true', filePost('toxic.csv', readFileSync(join(ROOT, 'examples/text/jigsaw-toxic-1k.csv')), { name: 'toxic' }));
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    // The example, plus two command steps running beside training: three jobs at once for two one-job workers.
    const def = parseYaml(readFileSync(join(ROOT, 'examples/pipelines/retrain-text-classifier.yaml'), 'utf8'));
    for (const n of ['fan-a', 'fan-b']) def.steps.push({ name: n, type: 'command', script: 'step.mjs', dependsOn: ['data'], inputs: { name: n, log: log(), ms: 1500 }, outputs: { name: 'string' } });
    const id = await startRun(s, def, { dataset: 'toxic', minF1: 0.3 });
    const waiting = await runOf(s, id, (r) => r.status === 'waiting' || done(r));
    expect(waiting.status).toBe('waiting');
    const approved = await s.api('/api/v1/models/text-classifier/versions/1/approval', { ...jsonPost({ status: 'Approved' }), method: 'PUT' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const run = await runOf(s, id, done);
    expect(run.status, JSON.stringify(run.steps)).toBe('succeeded');
    expect((await s.api('/api/v1/endpoints/text-classifier')).body).toMatchObject({ name: 'text-classifier', model: { version: 1 } });

    const pids = workers.map((w) => w.pid);
    const jobSteps = run.steps.filter((x: any) => x.jobId);
    expect(jobSteps.map((x: any) => x.name).sort()).toEqual(['data', 'evaluate', 'fan-a', 'fan-b', 'train']);
    for (const x of jobSteps) {
      expect(pids, `${x.name} ran on ${x.worker}`).toContain(pidOf(x.worker));
      expect((await s.api(`/api/v1/jobs/${x.jobId}`)).body.attempts, x.name).toBe(1);
    }
    expect(new Set(jobSteps.map((x: any) => pidOf(x.worker))).size).toBe(2); // both workers ran steps
    // The orchestrator's own steps ran on the server; a command step's worker is the parent of its script.
    for (const n of ['check-f1', 'register', 'approve', 'deploy', 'champion']) expect(pidOf(step(run, n).worker), n).toBe(s.child.pid);
    for (const n of ['fan-a', 'fan-b']) expect(lines().filter((l) => l.startsWith('start ') || l.startsWith('done ')).filter((l) => l.split(' ')[1] === n)).toEqual([`start ${n} ${pidOf(step(run, n).worker)}`, `done ${n} ${pidOf(step(run, n).worker)}`]);
    expect((await s.api('/api/v1/models?name=text-classifier')).body.items).toHaveLength(1); // trained once
  }, 600_000);

  it('(b) a worker killed -9 mid-step: an idempotent step re-runs on a restarted worker and the run completes; a non-idempotent one fails PIPELINE_STEP_INTERRUPTED', async () => {
    for (const [name, idempotent] of [['resumable', true], ['fragile', false]] as const) {
      const gate = join(dir, `${name}.gate`);
      writeFileSync(gate, '');
      const id = await startRun(s, gated(name, idempotent, gate));
      await vi.waitFor(() => expect(count(`start ${name}.slow`)).toBe(1), { timeout: 120_000, interval: 100 });
      const holder = workers.find((w) => lines().includes(`start ${name}.slow ${w.pid}`))!;
      expect(holder, lines().join('\n')).toBeDefined();
      await holder.kill9();
      rmSync(gate);
      workers = [...workers.filter((w) => w !== holder), await startWorker()];
      const run = await runOf(s, id, done);
      const slow = step(run, 'slow');
      const job = (await s.api(`/api/v1/jobs/${slow.jobId}`)).body;
      expect(count(`start ${name}.first`)).toBe(1);
      expect(count(`done ${name}.first`)).toBe(1);
      if (idempotent) {
        expect(run.status, JSON.stringify(run.steps)).toBe('succeeded');
        expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
        expect(pidOf(slow.worker)).not.toBe(holder.pid);
        expect([count(`start ${name}.slow`), count(`done ${name}.slow`), count(`done ${name}.last`)]).toEqual([2, 1, 1]);
      } else {
        expect(run.status).toBe('failed');
        expect(slow).toMatchObject({ status: 'failed', error: { code: 'PIPELINE_STEP_INTERRUPTED' } });
        expect(step(run, 'last').status).toBe('skipped');
        expect(job).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'INTERRUPTED' } });
        // The killed worker's script died with it (it never finished), and nothing ran it again.
        await new Promise((r) => setTimeout(r, 1000));
        expect([count(`start ${name}.slow`), count(`done ${name}.slow`), count(`start ${name}.last`)]).toEqual([1, 0, 0]);
      }
    }
  }, 600_000);

  it('(c) the server killed -9 mid-run: after a restart the run resumes from the last finished step; no step runs twice', async () => {
    const gate = join(dir, 'crash.gate');
    writeFileSync(gate, '');
    const id = await startRun(s, gated('crash', false, gate));
    await vi.waitFor(() => expect(count('start crash.slow')).toBe(1), { timeout: 120_000, interval: 100 });
    await s.kill9();
    // The step's job goes on on its worker while no orchestrator runs; the run is picked up where it stands.
    rmSync(gate);
    await vi.waitFor(() => expect(count('done crash.slow')).toBe(1), { timeout: 60_000, interval: 100 });
    // Workers run jobs only: with no server (no orchestrator) nothing starts the next step.
    await new Promise((r) => setTimeout(r, 2500));
    expect(count('start crash.last')).toBe(0);
    s = await server();
    const run = await runOf(s, id, done);
    expect(run.status, JSON.stringify(run.steps)).toBe('succeeded');
    expect(['first', 'slow', 'last'].map((n) => [count(`start crash.${n}`), count(`done crash.${n}`)])).toEqual([[1, 1], [1, 1], [1, 1]]);
    for (const n of ['first', 'slow', 'last']) {
      expect((await s.api(`/api/v1/jobs/${step(run, n).jobId}`)).body.attempts, n).toBe(1);
      expect(workers.map((w) => w.pid)).toContain(pidOf(step(run, n).worker));
    }
  }, 600_000);
});
