/**
 * Fine-tuning (issue 16) on the tiny llama (stories260K), same run, in-process app on a temp data dir:
 * (a) tokens/s and sequences/s with 1 and 2 DDP workers (local torchrun) at the same global batch and seed, scaling
 *     efficiency = tps(2) / (2 × tps(1)), and loss parity (final loss of 2 workers vs 1);
 * (b) our job against the same trainer launched by hand with torchrun on a copy of the job's run.json: wall time of
 *     the job (started → finished) vs the hand launch (spawn → exit), overhead = (ours − hand) / hand;
 * (c) kill -9 of every trainer process mid-run (a node lost): the job fails FINETUNE_WORKER_FAILED; `resume` — time
 *     from the resume request to the first new step, and the steps lost (last step logged − the step resumed from).
 * `--smoke`: a few steps only.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { BenchOptions, BenchResult } from './run.ts';
import { createAppContext } from '../src/app/context.ts';
import { loadConfig } from '../src/core/config.ts';
import { instructionRows, TINY_GGUF } from '../src/domains/finetune/testing.ts';

export const name = 'finetune';
export const title = 'Fine-tuning: tokens/s with 1 and 2 DDP workers, platform overhead vs torchrun by hand, resume after kill -9';

const PY = process.env.SAGEBRUSH_PYTHON ?? '/usr/bin/python3';
const PYDIR = join(import.meta.dirname, '../src/domains/finetune/python');
const f = (x: number | null | undefined, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const lastStep = (file: string) => Math.max(0, ...readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('"type": "step"') || l.includes('"type":"step"')).map((l) => (JSON.parse(l) as { step: number }).step));

function trainerPids(runDir: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(runDir); } catch { return false; }
  }).map(Number);
}

export async function run(options: BenchOptions = { smoke: false }): Promise<BenchResult> {
  const steps = options.smoke ? 6 : 30;
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-ft-'));
  const ctx = await createAppContext(loadConfig({ overrides: { dataDir: join(dir, 'data'), logLevel: 'warn', workerMode: 'inline' }, env: {} }));
  await ctx.queue.startWorker();
  const ft = ctx.services.finetune;
  try {
    await ctx.services.llm.registerPath({ path: TINY_GGUF, name: 'tiny', license: 'mit' });
    const upload = (await ft.upload('train.jsonl', Readable.from([instructionRows(400)]))).id;
    const spec = (name: string, workers: number, over: Record<string, unknown> = {}) => ({
      name, base: 'tiny', data: { upload }, method: 'lora', parallel: { dataParallel: workers },
      hp: { lr: 0.003, warmupSteps: 5, maxSteps: steps, seqLen: 128, microBatch: 16 / workers, globalBatch: 16, evalEvery: steps, checkpointEvery: steps, seed: 1 }, ...over,
    });
    const wall = (v: { job: { id: string } | null }) => ctx.queue.get(v.job!.id).then((j) => (Date.parse(j.finishedAt!) - Date.parse(j.startedAt!)) / 1000);

    // (a) 1 and 2 workers, same global batch and seed.
    const one = await ft.wait((await ft.create(spec('w1', 1))).id);
    const two = await ft.wait((await ft.create(spec('w2', 2))).id);
    const tps1 = one.summary.tokensPerSecond ?? NaN;
    const tps2 = two.summary.tokensPerSecond ?? NaN;
    const parity = Math.abs((two.summary.finalLoss ?? NaN) - (one.summary.finalLoss ?? NaN)) / (one.summary.finalLoss ?? NaN);

    // (b) the same trainer by hand on a copy of w2's run.json (its own outDir), vs the job's wall time.
    const handDir = join(dir, 'hand');
    mkdirSync(handDir);
    const cfg = JSON.parse(readFileSync(join(dir, 'data', 'finetune', 'runs', two.id, 'run.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(handDir, 'run.json'), JSON.stringify({ ...cfg, outDir: handDir }));
    const byHand = () => new Promise<number>((res, rej) => {
      rmSync(join(handDir, 'metrics.jsonl'), { force: true });
      rmSync(join(handDir, 'checkpoints'), { recursive: true, force: true });
      const t0 = performance.now();
      // Spawn → exit; a worker stuck in teardown 30 s after "done" is killed and the time of "done" counts (as the job does).
      const child = spawn(PY, [join(PYDIR, 'torchrun.py'), '--standalone', '--nnodes=1', '--nproc_per_node=2', join(PYDIR, 'train.py'), '--config', join(handDir, 'run.json')], { stdio: 'ignore', detached: true, env: { ...process.env, OMP_NUM_THREADS: '1' } });
      let doneAt = 0;
      const timer = setInterval(() => {
        if (!doneAt) { try { if (readFileSync(join(handDir, 'metrics.jsonl'), 'utf8').includes('"type": "done"')) doneAt = performance.now(); } catch { /* not yet */ } }
        if (doneAt && performance.now() - doneAt > 30_000) { clearInterval(timer); try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } res((doneAt - t0) / 1000); }
      }, 100);
      child.on('exit', (c) => { clearInterval(timer); if (c === 0) res((performance.now() - t0) / 1000); else if (!doneAt) rej(new Error(`torchrun by hand exited ${c}`)); });
    });
    const handWall = await byHand();
    // Interleaved pairs (by hand, then the job) so the machine's load hits both alike; the fastest of each counts.
    const hands = [handWall];
    const ours = [await wall(two)];
    for (let i = 0; i < (options.smoke ? 0 : 2); i++) {
      hands.push(await byHand());
      ours.push(await wall(await ft.wait((await ft.create(spec(`pair${i}`, 2))).id)));
    }
    const ourWall = Math.min(...ours);
    const bestHand = Math.min(...hands);
    const handTps = (() => { const l = readFileSync(join(handDir, 'metrics.jsonl'), 'utf8').split('\n').filter((x) => x.includes('"step"') && x.includes('tokens_per_s')).map((x) => JSON.parse(x) as { tokens_per_s: number }).slice(1); return l.reduce((a, b) => a + b.tokens_per_s, 0) / l.length; })();

    // (c) kill -9 every trainer process after the first checkpoint, then resume.
    const every = options.smoke ? 2 : 10;
    const killed = await ft.create(spec('killed', 2, { hp: { lr: 0.003, warmupSteps: 5, maxSteps: steps, seqLen: 128, microBatch: 8, globalBatch: 16, evalEvery: steps, checkpointEvery: every, seed: 1 } }));
    const runDir = join(dir, 'data', 'finetune', 'runs', killed.id);
    const metrics = join(runDir, 'metrics.jsonl');
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      let s = 0;
      try { s = lastStep(metrics); } catch { /* not yet */ }
      if (s >= every + Math.floor(every / 2)) break;
    }
    for (const pid of trainerPids(runDir)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    const stepAtKill = lastStep(metrics);
    const failed = await ft.wait(killed.id);
    const r0 = performance.now();
    await ft.resume(killed.id);
    let firstNew = NaN;
    const before = readFileSync(metrics, 'utf8').length;
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      if (readFileSync(metrics, 'utf8').slice(before).includes('"type": "step"')) { firstNew = (performance.now() - r0) / 1000; break; }
    }
    const resumed = await ft.wait(killed.id);
    const lost = stepAtKill - (resumed.summary.resumedFromStep ?? 0);

    const rows = [
      '| workers | tokens/s | seqs/s | final loss | eval loss (base → tuned) | job wall s |',
      '|---:|---:|---:|---:|---:|---:|',
      `| 1 | ${f(tps1, 0)} | ${f(one.summary.seqsPerSecond)} | ${f(one.summary.finalLoss, 4)} | ${f(one.summary.baseEvalLoss, 3)} → ${f(one.summary.evalLoss, 3)} | ${f(await wall(one))} |`,
      `| 2 | ${f(tps2, 0)} | ${f(two.summary.seqsPerSecond)} | ${f(two.summary.finalLoss, 4)} | ${f(two.summary.baseEvalLoss, 3)} → ${f(two.summary.evalLoss, 3)} | ${f(ourWall)} |`,
    ];
    const markdown = [
      `Tiny llama (stories260K, LoRA r8 on wq/wk/wv/wo), ${steps} steps, global batch 16 × 128 tokens, seed 1, gloo on CPU, local torchrun.`,
      '',
      ...rows,
      '',
      `- Scaling efficiency (tokens/s of 2 workers ÷ 2 × 1 worker): **${f(tps2 / (2 * tps1), 2)}**. The machine has ${readdirSync('/sys/devices/system/cpu').filter((n) => /^cpu\d+$/.test(n)).length} cores shared with everything else running on it: two workers each get at most one core, and the all-reduce of every step and the Python/launcher processes take from the same two; the seed's near-linear 3.7 → 7.4 seqs/s came from one whole instance per worker.`,
      `- Loss parity, 2 workers vs 1 at the same global batch and seed: final loss differs by **${f(parity * 100, 2)} %**.`,
      `- Our job vs the same trainer by hand (\`torchrun.py --standalone --nproc_per_node=2 train.py --config run.json\`): fastest of ${ours.length} interleaved runs each: job ${f(ourWall)} s vs hand ${f(bestHand)} s wall (all: job ${ours.map((x) => f(x)).join(', ')}; hand ${hands.map((x) => f(x)).join(', ')}), **overhead ${f(((ourWall - bestHand) / bestHand) * 100, 1)} %**; tokens/s ${f(tps2, 0)} (the first job) vs ${f(handTps, 0)} (the last run by hand). The job's wall time runs from the worker picking the job up to its result stored, so it includes the launch through guard.py, following metrics.jsonl and storing the result.`,
      `- kill -9 of every trainer process at step ${stepAtKill} (checkpoints every ${every}): the job failed \`${failed.job?.error?.code ?? failed.status}\`; resume → first new step after **${f(firstNew, 1)} s**, resumed from step ${resumed.summary.resumedFromStep}, **${lost} step(s) lost** (at most the checkpoint interval, ${every}); the resumed run ${resumed.status} at step ${resumed.summary.step}.`,
    ].join('\n');
    return { markdown, summary: { tps1, tps2, efficiency: tps2 / (2 * tps1), parityPct: parity * 100, ourWall, handWall: bestHand, overheadPct: ((ourWall - bestHand) / bestHand) * 100, resumeSeconds: firstNew, stepsLost: lost, failedCode: failed.job?.error?.code } };
  } finally {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
