/**
 * The `finetune.train` job type: launches the run's trainer (local torchrun or Slurm), streams metrics.jsonl into
 * the job's progress and its output into the job log, and ends when every worker has ended. A worker that dies
 * fails the job FINETUNE_WORKER_FAILED (torchrun and `srun --kill-on-bad-exit` stop the others); a trainer that
 * prints nothing for the stall limit is stopped and fails the same way, so a job never hangs. Not idempotent: a
 * run interrupted by a crash is resumed on purpose (`finetune resume`), from its last checkpoint.
 */
import { z } from 'zod';
import { join } from 'node:path';
import { AppError } from '../../core/errors.ts';
import { defineJob, modelRefSchema } from '../../jobs/registry.ts';
import type { JobContext } from '../../jobs/types.ts';
import { trainerError, type TrainerError } from './errors.ts';
import { MetricsFollower } from './follow.ts';
import type { LaunchExit, LaunchHandle } from './launchers/types.ts';
import { summarize, type MetricsEvent } from './metrics.ts';
import { finetuneSpecSchema, type FinetuneSpec } from './schema.ts';

export const FINETUNE_TRAIN_JOB = 'finetune.train';

/** `runId`: a run created (and validated) by the service; `spec`: a pipeline step's inputs, validated when the job starts. */
export const trainPayloadSchema = z
  .object({ runId: z.string().min(1).max(100).optional(), spec: finetuneSpecSchema.optional() })
  .refine((p) => (p.runId === undefined) !== (p.spec === undefined), { message: 'give exactly one of runId or spec', path: ['runId'] });
export type TrainPayload = z.infer<typeof trainPayloadSchema>;

export const trainResultSchema = z.object({
  run: z.string(),
  name: z.string(),
  status: z.literal('succeeded'),
  workers: z.number().int(),
  steps: z.number().int(),
  resumedFromStep: z.number().int().nullable(),
  evalLossBase: z.number().nullable(),
  evalLoss: z.number().nullable(),
  finalLoss: z.number().nullable(),
  tokensPerSecond: z.number().nullable(),
  seqsPerSecond: z.number().nullable(),
  checkpoints: z.number().int(),
  model: modelRefSchema.nullable().describe('the exported GGUF registered in the LLM catalog (with deploy)'),
  endpoint: z.string().nullable(),
});
export type TrainResult = z.infer<typeof trainResultSchema>;

declare module '../../jobs/types.ts' {
  interface JobTypes {
    'finetune.train': { payload: TrainPayload; result: TrainResult };
  }
}

/** What the handler needs from the service. */
export interface TrainJobDeps {
  /** A pipeline step's spec: validated and stored as a run (the same checks as POST /finetune/runs). */
  create(spec: FinetuneSpec, jobId: string): Promise<string>;
  /** Starts the run's processes (marks the launch on the run). */
  launch(runId: string, onLine: (line: string) => void): Promise<{ handle: LaunchHandle; runDir: string; maxSteps: number | null; workers: number; name: string }>;
  /** After success, export + register + deploy when the run asked for it. */
  afterSuccess(runId: string, log: (m: string) => Promise<void>): Promise<{ model: TrainResult['model']; endpoint: string | null }>;
  /** No output for this long stops the run (default 10 min). */
  stallMs?: number;
  /** After rank 0's "done" line, workers still running this long are stopped and the run counts as finished (default 30 s). */
  doneGraceMs?: number;
}

const isNoise = (e: MetricsEvent | null) => e !== null && e.type === 'step';

export async function followRun(ctx: JobContext<TrainPayload>, runId: string, deps: TrainJobDeps): Promise<{ exit: LaunchExit; events: MetricsEvent[]; stalled: boolean; lingered: boolean; name: string; workers: number }> {
  const { signal, progress, log } = ctx;
  let pending: string[] = [];
  let lastActivity = Date.now();
  const onLine = (line: string) => {
    lastActivity = Date.now();
    const t = line.trim();
    if (!t) return;
    try {
      if (isNoise(JSON.parse(t) as MetricsEvent)) return; // step lines are in the series, not the log
    } catch {
      /* a plain line */
    }
    pending.push(line.slice(0, 2000));
  };
  const started = await deps.launch(runId, onLine);
  const { handle } = started;
  const follower = new MetricsFollower(join(started.runDir, 'metrics.jsonl'));
  const onAbort = () => void handle.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  let stalled = false;
  let finished = false;
  // A worker stuck in process-group teardown after the trainer wrote "done" (seen with gloo on torch 1.13) must not
  // hold the job: the checkpoint and metrics are complete, so it is stopped after a grace period.
  let doneAt = 0;
  let lingered = false;
  const flush = async () => {
    const lines = pending;
    pending = [];
    for (const l of lines) await log(l);
  };
  const tick = async () => {
    for (const e of follower.poll()) {
      lastActivity = Date.now();
      if (e.type === 'step') await progress(started.maxSteps ? Math.min(0.99, e.step / started.maxSteps) : 0.5, `step ${e.step}${started.maxSteps ? `/${started.maxSteps}` : ''} loss ${e.loss.toFixed(4)}`);
      else if (e.type === 'eval') await log(`step ${e.step}: eval loss ${e.eval_loss.toFixed(4)}`);
      else if (e.type === 'checkpoint') await log(`checkpoint at step ${e.step}: ${e.path}`);
      else if (e.type === 'done') doneAt = Date.now();
      else if (e.type === 'start') await log(`started: world size ${e.world_size}, resumed from step ${e.resumed_from_step}, base eval loss ${e.base_eval_loss ?? '?'}`);
    }
    await flush();
    if (!finished && !lingered && doneAt && Date.now() - doneAt > (deps.doneGraceMs ?? 30_000)) {
      lingered = true;
      await log(`the trainer wrote "done" but its workers were still running ${Math.round((deps.doneGraceMs ?? 30_000) / 1000)} s later: stopping them`, 'warn');
      await handle.cancel();
    }
    if (!finished && !stalled && !doneAt && Date.now() - lastActivity > (deps.stallMs ?? 600_000)) {
      stalled = true;
      await log(`no output for ${Math.round((deps.stallMs ?? 600_000) / 1000)} s: stopping the workers`, 'error');
      await handle.cancel();
    }
  };
  const loop = (async () => {
    while (!finished) {
      await tick();
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  const exit = await handle.done;
  finished = true;
  await loop;
  await tick();
  signal.removeEventListener('abort', onAbort);
  return { exit, events: follower.events, stalled, lingered, name: started.name, workers: started.workers };
}

export const trainJob = (deps: TrainJobDeps) =>
  defineJob({
    type: FINETUNE_TRAIN_JOB,
    payload: trainPayloadSchema,
    result: trainResultSchema,
    async run(ctx) {
      await ctx.progress(0, 'launching the trainer');
      const runId = ctx.job.payload.runId ?? (await deps.create(ctx.job.payload.spec!, ctx.job.id));
      ctx.signal.throwIfAborted();
      const { exit, events, stalled, lingered, name, workers } = await followRun(ctx, runId, deps);
      ctx.signal.throwIfAborted();
      if (stalled) throw new AppError('FINETUNE_WORKER_FAILED', `The trainer wrote nothing for ${Math.round((deps.stallMs ?? 600_000) / 1000)} s (a worker hung or its node was lost); the run was stopped. Resume from the last checkpoint.`);
      const s = summarize(events);
      if (s.error) throw trainerError(s.error as unknown as TrainerError);
      if (!exit.ok && !(lingered && s.done)) throw new AppError('FINETUNE_WORKER_FAILED', `The run failed: ${exit.detail || `exit ${exit.exitCode ?? exit.signal}`}. Checkpoints written before stay; resume with \`sagebrush finetune resume ${name}\`.`, { extra: { exitCode: exit.exitCode, signal: exit.signal } });
      if (!s.done) throw new AppError('FINETUNE_TRAINER_FAILED', `The trainer exited without its "done" line (last step ${s.step}); see the job log.`);
      const deployed = await deps.afterSuccess(runId, (m) => ctx.log(m));
      await ctx.progress(1, `done: eval loss ${s.baseEvalLoss?.toFixed(4) ?? '?'} → ${s.evalLoss?.toFixed(4) ?? '?'}`);
      return {
        run: runId, name, status: 'succeeded' as const, workers: s.worldSize ?? workers, steps: s.step, resumedFromStep: s.resumedFromStep,
        evalLossBase: s.baseEvalLoss, evalLoss: s.evalLoss, finalLoss: s.finalLoss, tokensPerSecond: s.tokensPerSecond, seqsPerSecond: s.seqsPerSecond,
        checkpoints: s.checkpoints.length, model: deployed.model, endpoint: deployed.endpoint,
      };
    },
  });
