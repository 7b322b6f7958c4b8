/**
 * train.py end to end on the tiny model (few steps): 1 vs 2 DDP workers at the same global batch and seed give
 * the same loss curve; kill -9 mid-run then resume loses at most the checkpoint interval and continues with
 * exactly the uninterrupted curve (LoRA with dropout on the llama2.c checkpoint); export.py's GGUFs (from a GGUF
 * base, and from the llama2.c base with the vocab of tok512.bin) load in node-llama-cpp; the fine-tuned one has
 * a lower held-out loss than the base; a worker killed under a Slurm-style launch fails the other one fast.
 */
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llamaCpp, parseLines, probe, PY_DIR, runPython, tempDir, TINY_BIN, TINY_GGUF, TINY_TOK, trainerMissing, writeRunConfig, writeStories } from './testing/kit.ts';

const missing = trainerMissing();
const TRAIN = join(PY_DIR, 'train.py');
const dir = tempDir();
let data = '';
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const port = (srv.address() as { port: number }).port;
  await new Promise((res) => srv.close(res));
  return port;
}

const steps = (lines: Array<Record<string, any>>) => lines.filter((l) => l.type === 'step');

describe.skipIf(missing !== null)(`trainer${missing ? ` — skipped: ${missing}` : ''}`, () => {
  beforeAll(async () => {
    data = await writeStories(join(dir, 'stories.txt'), 120);
  }, 60_000);

  it('2 workers (torchrun, gloo) match 1 worker at the same global batch; the export loads and beats the base', { timeout: 240_000 }, async () => {
    const hp = { lr: 0.005, maxSteps: 6, checkpointEvery: 3 };
    const one = await runPython([TRAIN, '--config', writeRunConfig(join(dir), data, { hp, outDir: join(dir, 'w1') })]);
    expect(one.code, one.stderr.slice(-2000)).toBe(0);
    const cfg2 = writeRunConfig(join(dir), data, { hp, outDir: join(dir, 'w2'), parallel: { dataParallel: 2 } });
    const two = await runPython([join(PY_DIR, 'torchrun.py'), '--standalone', '--nnodes=1', '--nproc_per_node=2', '--max_restarts=0', TRAIN, '--config', cfg2]);
    expect(two.code, two.stderr.slice(-2000)).toBe(0);
    expect(two.lines.find((l) => l.type === 'start')?.world_size).toBe(2);
    const [a, b] = [steps(one.lines), steps(two.lines)];
    expect(a).toHaveLength(6);
    expect(b).toHaveLength(6);
    a.forEach((s, i) => expect(Math.abs(s.loss - b[i]!.loss) / s.loss).toBeLessThan(0.01));
    const done = one.lines.find((l) => l.type === 'done')!;
    expect(done.eval_loss).toBeLessThan(done.base_eval_loss);
    // metrics.jsonl holds the same lines as stdout
    expect(parseLines(readFileSync(join(dir, 'w1', 'metrics.jsonl'), 'utf8'))).toEqual(one.lines);

    const out = join(dir, 'tuned.gguf');
    const ex = await runPython([join(PY_DIR, 'export.py'), '--checkpoint', join(dir, 'w1', 'checkpoints', 'step-000006'), '--base', TINY_GGUF, '--out', out]);
    expect(ex.code, ex.stderr.slice(-2000)).toBe(0);
    expect(ex.lines[0]).toMatchObject({ type: 'export', path: out });
    const held = await writeStories(join(dir, 'held.txt'), 20, 'text', 99);
    const [base, tuned] = [await probe('loss', TINY_GGUF, held, '128'), await probe('loss', out, held, '128')];
    expect(tuned.loss).toBeLessThan(base.loss);
    const gen = await llamaCpp(out, 'Once upon a time', 24);
    expect(gen.text.trim().length).toBeGreaterThan(10);
  });

  it('kill -9 after a checkpoint, then resume: steps lost ≤ checkpointEvery and the same curve as without the kill', { timeout: 240_000 }, async () => {
    const over = (outDir: string) => ({ base: { path: TINY_BIN, format: 'llama2c', tokenizer: TINY_TOK }, method: 'lora', lora: { rank: 4, alpha: 8, dropout: 0.1, targets: ['wq', 'wv', 'w1', 'w3'] }, hp: { lr: 0.01, maxSteps: 8, checkpointEvery: 2, evalEvery: 4 }, outDir });
    const full = await runPython([TRAIN, '--config', writeRunConfig(join(dir), data, over(join(dir, 'ref')))]);
    expect(full.code, full.stderr.slice(-2000)).toBe(0);
    const cfg = writeRunConfig(join(dir), data, over(join(dir, 'killed')));
    const killed = await runPython([TRAIN, '--config', cfg], {
      onLine: (line, kill) => {
        if (line.includes('"type": "step", "step": 5,')) kill();
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    const t0 = Date.now();
    let firstStepMs = 0;
    const resumed = await runPython([TRAIN, '--config', cfg], { onLine: (l) => void (l.includes('"type": "step"') && !firstStepMs && (firstStepMs = Date.now() - t0)) });
    expect(resumed.code, resumed.stderr.slice(-2000)).toBe(0);
    const start = resumed.lines.find((l) => l.type === 'start')!;
    expect(start.resumed_from_step).toBe(4);
    expect(5 - start.resumed_from_step).toBeLessThanOrEqual(2); // steps lost: step 5 was done when killed
    const after = steps(resumed.lines);
    expect(after.map((s) => s.step)).toEqual([5, 6, 7, 8]);
    expect(after.map((s) => s.loss)).toEqual(steps(full.lines).slice(4).map((s) => s.loss));
    expect(resumed.lines.find((l) => l.type === 'done')!.eval_loss).toBe(full.lines.find((l) => l.type === 'done')!.eval_loss);
    expect(firstStepMs).toBeGreaterThan(0);
    // the llama2.c base exports as a GGUF with the vocab of tok512.bin (LoRA merged) that llama.cpp runs
    const out = join(dir, 'lora-llama2c.gguf');
    const ex = await runPython([join(PY_DIR, 'export.py'), '--checkpoint', join(dir, 'killed', 'checkpoints', 'step-000008'), '--base', TINY_BIN, '--out', out]);
    expect(ex.code, ex.stderr.slice(-2000)).toBe(0);
    expect(ex.lines[0]).toMatchObject({ type: 'export', method: 'lora', step: 8 });
    const gen = await llamaCpp(out, 'Once upon a time', 24);
    expect(gen.text.trim().length).toBeGreaterThan(10);
  });

  it('Slurm-style launch (SLURM_PROCID/SLURM_NTASKS, no torchrun): a worker killed mid-run fails the other fast with FINETUNE_WORKER_LOST', { timeout: 180_000 }, async () => {
    const cfg = writeRunConfig(join(dir), data, { hp: { maxSteps: 50, checkpointEvery: 0, evalEvery: 0 }, outDir: join(dir, 'slurm'), parallel: { dataParallel: 2 } });
    const env = (rank: number, port: number) => ({ SLURM_PROCID: String(rank), SLURM_NTASKS: '2', SLURM_LOCALID: String(rank), SLURM_NNODES: '1', MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) });
    const port = await freePort();
    let killRank1: (() => void) | undefined;
    let killedAt = 0;
    const rank1 = runPython([TRAIN, '--config', cfg], { env: env(1, port), onSpawn: (kill) => (killRank1 = kill) });
    const rank0 = runPython([TRAIN, '--config', cfg], {
      env: env(0, port),
      onLine: (line) => {
        if (line.includes('"type": "step", "step": 2,')) {
          killedAt = Date.now();
          killRank1?.();
        }
      },
    });
    const [r0, r1] = await Promise.all([rank0, rank1]);
    expect(r1.signal).toBe('SIGKILL');
    expect(r0.code, r0.stderr.slice(-2000)).toBe(1);
    expect(r0.lines.find((l) => l.type === 'start')?.world_size).toBe(2);
    expect(r0.lines.at(-1)).toMatchObject({ type: 'error', code: 'FINETUNE_WORKER_LOST', rank: 0 });
    expect(Date.now() - killedAt).toBeLessThan(60_000);
  });
});
