/**
 * Fine-tuning end to end on this machine (issue 16) through the real app: the documented errors before anything
 * starts (unknown architecture, world size over the cores, a row over the context, parallel sizes against the model
 * shape), a 2-worker DDP run by local torchrun with export → LLM catalog → endpoint that generates, and a worker
 * killed with SIGKILL mid-run failing the job FINETUNE_WORKER_FAILED (no hang), then resumed from its checkpoint.
 * Model: stories260K from ../shared/data/llm-tiny (skipped with a message when absent or without torch).
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAppContext, type AppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/core/config.ts';
import { HAS_TINY, HAS_TORCH, instructionRows, NO_TINY_MESSAGE, smallSpec, TINY_GGUF } from '../../src/domains/finetune/testing.ts';
import { multipart } from '../../src/domains/llm/testing/tinyModel.ts';
import { buildApp } from '../../src/http/app.ts';

const ready = HAS_TINY && HAS_TORCH;

/** The pid of the trainer process with RANK=rank whose command line names this run's config. */
export function workerPid(runDir: string, rank: number): number | null {
  for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (!cmd.includes('train.py') || !cmd.includes(runDir) || cmd.includes('torchrun.py')) continue;
      const env = readFileSync(`/proc/${p}/environ`, 'utf8').split('\0');
      if (env.includes(`RANK=${rank}`)) return Number(p);
    } catch {
      /* gone or not ours */
    }
  }
  return null;
}

describe.skipIf(!ready)(`fine-tuning with local torchrun${ready ? '' : ` — ${NO_TINY_MESSAGE} (or no torch)`}`, () => {
  let dir: string;
  let ctx: AppContext;
  let app: FastifyInstance;
  let upload: string;
  const post = async (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });
  const uploadFile = async (name: string, content: string | Buffer) => {
    const m = multipart({}, { name, content: Buffer.from(content) });
    const res = await app.inject({ method: 'POST', url: '/api/v1/finetune/uploads', payload: m.body, headers: { 'content-type': m.contentType } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-ft-local-'));
    ctx = await createAppContext(loadConfig({ overrides: { dataDir: dir, logLevel: 'warn' }, env: {} }));
    app = await buildApp(ctx);
    await ctx.queue.startWorker();
    expect((await post('/api/v1/llm/models', { path: TINY_GGUF, name: 'tiny', license: 'mit' })).statusCode).toBe(201);
    upload = await uploadFile('train.jsonl', instructionRows(120));
  }, 60_000);

  afterAll(async () => {
    await ctx?.services.pipelines.stop();
    await app?.close();
    await ctx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad input before anything starts, naming the field and the fix', async () => {
    const cases: Array<[string, unknown, string, string]> = [
      ['world size over the cores', smallSpec('tiny', upload, { parallel: { dataParallel: 64 } }), 'FINETUNE_WORLD_SIZE_TOO_LARGE', 'parallel.dataParallel'],
      ['tensor parallel vs 8 heads', smallSpec('tiny', upload, { parallel: { dataParallel: 1, tensorParallel: 3 } }), 'FINETUNE_PARALLEL_INVALID', 'parallel.tensorParallel'],
      ['global batch vs micro × workers', smallSpec('tiny', upload, { hp: { microBatch: 4, globalBatch: 6 } }), 'FINETUNE_PARALLEL_INVALID', 'hp.globalBatch'],
    ];
    const long = await uploadFile('long.jsonl', `${instructionRows(10)}${JSON.stringify({ instruction: 'Tell a long story.', response: 'Once upon a time there was a dog. '.repeat(60) })}\n`);
    cases.push(['a row over the context without packing', { ...smallSpec('tiny', long), data: { upload: long, packing: false } }, 'FINETUNE_DATA_INVALID', 'data']);
    // A GGUF whose general.architecture is not llama (the same bytes, the value renamed).
    const bytes = readFileSync(TINY_GGUF);
    const at = bytes.indexOf('general.architecture');
    const value = bytes.indexOf('llama', at + 20);
    bytes.write('gpt2x', value);
    const other = join(dir, 'other.gguf');
    writeFileSync(other, bytes);
    const reg = await post('/api/v1/llm/models', { path: other, name: 'other' });
    if (reg.statusCode === 201) cases.push(['an unknown architecture', smallSpec('other', upload), 'FINETUNE_UNKNOWN_ARCHITECTURE', 'base']);
    else console.warn(`the renamed-architecture GGUF was refused by the catalog (${reg.statusCode}); unknown architecture checked through a llama2.c upload only`);
    const junk = await uploadFile('junk.bin', Buffer.alloc(4096, 7));
    const tok = await uploadFile('tok.bin', Buffer.alloc(64, 1));
    cases.push(['an unreadable llama2.c checkpoint', smallSpec({ checkpoint: junk, tokenizer: tok }, upload), 'FINETUNE_', 'base']);
    for (const [what, spec, code, field] of cases) {
      const res = await post('/api/v1/finetune/runs', spec);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(422);
      const body = res.json();
      expect(body.code, what).toMatch(new RegExp(`^${code}`));
      expect(body.problems.map((p: { field: string }) => p.field), what).toContain(field);
      for (const p of body.problems) expect(p.fix, what).toBeTruthy();
      if (code === 'FINETUNE_DATA_INVALID') expect(body.problems[0], what).toMatchObject({ row: 11, problem: expect.stringMatching(/context|seqLen|tokens/) });
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/finetune/runs' })).json().items).toEqual([]);
  }, 120_000);

  it('trains 2 DDP workers, exports the checkpoint to GGUF, registers and deploys it: the endpoint generates and the eval loss fell', async () => {
    const res = await post('/api/v1/finetune/runs', { ...smallSpec('tiny', upload, { parallel: { dataParallel: 2 } }), name: 'local2', deploy: 'ft-local' });
    expect(res.statusCode, res.body).toBe(202);
    const job = await ctx.queue.wait(res.json().job.id, { timeoutMs: 240_000 });
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const result = job.result as Record<string, any>;
    expect(result).toMatchObject({ name: 'local2', workers: 2, steps: 12, endpoint: 'ft-local', model: { name: 'local2', version: 1 } });
    expect(result.evalLoss).toBeLessThan(result.evalLossBase);
    expect(result.tokensPerSecond).toBeGreaterThan(0);
    const run = (await app.inject({ method: 'GET', url: '/api/v1/finetune/runs/local2' })).json();
    expect(run.checkpoints.map((c: { step: number }) => c.step)).toEqual([6, 12]);
    expect(run.summary).toMatchObject({ worldSize: 2, done: true });
    const series = (await app.inject({ method: 'GET', url: '/api/v1/finetune/runs/local2/metrics?names=loss,eval_loss' })).json();
    expect(series.loss).toHaveLength(12);
    expect(series.eval_loss.length).toBeGreaterThanOrEqual(1);
    const logs = (await app.inject({ method: 'GET', url: '/api/v1/finetune/runs/local2/logs' })).json().items.map((l: { message: string }) => l.message);
    expect(logs.join('\n')).toMatch(/deployed on endpoint ft-local/);
    const gen = await post('/api/v1/endpoints/ft-local/invocations', { inputs: 'Tell a story about Lily and a ball.', parameters: { max_new_tokens: 16 } });
    expect(gen.statusCode, gen.body).toBe(200);
    expect(gen.json()[0].generated_text.length).toBeGreaterThan(0);
  }, 300_000);

  it('runs as a pipeline step: finetune.train (spec inputs, register) then a deploy step on its model output', async () => {
    const steps = [
      { name: 'ft', type: 'training', jobType: 'finetune.train', inputs: { spec: { ...smallSpec('tiny', upload), register: true } } },
      { name: 'serve', type: 'deploy', inputs: { endpoint: 'ft-pipe', model: '${{ steps.ft.outputs.model.id }}' } },
    ];
    const applied = await post('/api/v1/pipelines', { name: 'tune', steps });
    expect(applied.statusCode, applied.body).toBe(201);
    await ctx.services.pipelines.start(); // as `serve` does when it listens (an injected app starts no orchestrator)
    const started = await post('/api/v1/pipelines/tune/runs', {});
    expect(started.statusCode, started.body).toBe(202);
    let run: any;
    await vi.waitFor(async () => {
      run = (await app.inject({ method: 'GET', url: `/api/v1/pipelines/runs/${started.json().id}` })).json();
      expect(run.status).not.toMatch(/running|queued/);
    }, { timeout: 150_000, interval: 1000 }).catch(async (err: unknown) => {
      const jobs = await Promise.all(run.steps.filter((s: any) => s.jobId).map((s: any) => ctx.queue.get(s.jobId)));
      throw new Error(`${String(err)}\nrun: ${JSON.stringify(run)}\njobs: ${JSON.stringify(jobs.map((j) => [j.type, j.status, j.message, j.error]))}`);
    });
    expect(run.status, JSON.stringify(run.steps.map((s: any) => s.error))).toBe('succeeded');
    expect((await app.inject({ method: 'GET', url: '/api/v1/endpoints/ft-pipe' })).statusCode).toBe(200);
  }, 360_000);

  it('a worker killed with SIGKILL fails the job FINETUNE_WORKER_FAILED, and resume continues from the last checkpoint', async () => {
    const res = await post('/api/v1/finetune/runs', { ...smallSpec('tiny', upload, { parallel: { dataParallel: 2 }, hp: { lr: 0.003, warmupSteps: 2, maxSteps: 40, seqLen: 64, microBatch: 4, globalBatch: 8, evalEvery: 20, checkpointEvery: 4 } }), name: 'killed' });
    expect(res.statusCode, res.body).toBe(202);
    const runDir = join(dir, 'finetune', 'runs', res.json().id);
    let pid: number | null = null;
    await vi.waitFor(() => {
      expect(readdirSync(join(runDir, 'checkpoints')).some((n) => n.startsWith('step-'))).toBe(true);
      pid = workerPid(runDir, 1);
      expect(pid).not.toBeNull();
    }, { timeout: 180_000, interval: 200 });
    process.kill(pid!, 'SIGKILL');
    const job = await ctx.queue.wait(res.json().job.id, { timeoutMs: 120_000 });
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'FINETUNE_WORKER_FAILED', message: expect.stringMatching(/rank 1|killed|signal|exit/) });
    const resumed = await post('/api/v1/finetune/runs/killed/resume', {});
    expect(resumed.statusCode, resumed.body).toBe(202);
    const again = await ctx.queue.wait(resumed.json().job.id, { timeoutMs: 300_000 });
    expect(again.status, JSON.stringify(again.error)).toBe('succeeded');
    expect((again.result as { resumedFromStep: number }).resumedFromStep).toBeGreaterThan(0);
    expect((again.result as { steps: number }).steps).toBe(40);
  }, 600_000);
});
