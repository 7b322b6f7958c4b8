/**
 * The pipelines domain's own job types:
 *  - `pipelines.dataset-version`: resolves a dataset's newest (or a given) ready version, so a training step's cache
 *    key changes when a new version lands and the run's lineage starts at that version (never cached itself);
 *  - `pipelines.command`: a command step — runs a declared script from the configured scripts folder with no shell,
 *    its inputs as JSON on stdin, its outputs as one JSON object on stdout (checked against the declared types),
 *    stderr lines as the job's log, killed on timeout or cancel.
 */
import { spawn } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { defineJob } from '../../jobs/registry.ts';
import { paramTypeSchema } from './schema.ts';
import { fitsType } from './validate.ts';

export interface DatasetVersionResult { datasetId: string; versionId: string; version: number; rowCount: number }
const commandPayload = z.object({
  script: z.string().min(1).max(200),
  inputs: z.record(z.string(), z.unknown()),
  outputs: z.record(z.string(), paramTypeSchema),
  timeoutSeconds: z.number().positive().optional(),
  /** Declared by the step: safe to run again after its worker died mid-run. */
  idempotent: z.boolean().optional(),
});
export type CommandPayload = z.infer<typeof commandPayload>;
const datasetPayload = z.object({ dataset: z.string().min(1), version: z.union([z.literal('latest'), z.number().int().positive()]).default('latest') });

declare module '../../jobs/types.ts' {
  interface JobTypes {
    'pipelines.dataset-version': { payload: z.infer<typeof datasetPayload>; result: DatasetVersionResult };
    'pipelines.command': { payload: CommandPayload; result: Record<string, unknown> };
  }
}

export interface PipelineDatasetsPort {
  getVersion(idOrName: string, version: number | 'latest'): Promise<{ id: string; datasetId: string; version: number; rowCount: number; status: string }>;
}

const SCRIPT_FIX = 'Put the script in the pipeline scripts folder (SAGEBRUSH_PIPELINE_SCRIPTS_DIR) and give its path relative to it.';

/** The script's real path, refused unless it is a file inside the scripts folder (no `..`, absolute path or symlink out). */
export function scriptPath(scriptsDir: string, script: string): string {
  const bad = (problem: string) => new AppError('PIPELINE_SCRIPT_INVALID', `Command script "${script}": ${problem}.`, { problems: [{ field: 'script', problem, fix: SCRIPT_FIX }] });
  if (isAbsolute(script) || script.split(/[\\/]/).includes('..') || script.includes('\0')) throw bad('must be a relative path inside the scripts folder');
  let root: string;
  let real: string;
  try {
    root = realpathSync(scriptsDir);
    real = realpathSync(resolve(root, script));
  } catch {
    throw bad('does not exist in the scripts folder');
  }
  const rel = relative(root, real);
  if (rel.startsWith('..') || isAbsolute(rel)) throw bad('resolves to a file outside the scripts folder');
  if (!statSync(real).isFile()) throw bad('is not a file');
  return real;
}

export function pipelineJobs(deps: { datasets: PipelineDatasetsPort; scriptsDir: string }) {
  return [
    defineJob({
      type: 'pipelines.dataset-version',
      payload: datasetPayload,
      result: z.object({ datasetId: z.string(), versionId: z.string(), version: z.number().int(), rowCount: z.number().int() }),
      idempotent: true,
      async run({ job, log, progress }) {
        await progress(0.1, `resolving ${job.payload.dataset}`);
        const v = await deps.datasets.getVersion(job.payload.dataset, job.payload.version);
        if (v.status !== 'ready') throw new AppError('CONFLICT', `Dataset "${job.payload.dataset}" version ${v.version} is ${v.status}, not ready.`);
        await log(`dataset ${job.payload.dataset} → version ${v.version} (${v.rowCount} rows)`);
        return { datasetId: v.datasetId, versionId: v.id, version: v.version, rowCount: v.rowCount };
      },
    }),
    defineJob({
      type: 'pipelines.command',
      payload: commandPayload,
      result: z.record(z.string(), z.unknown()),
      idempotent: (p) => p.idempotent === true,
      async run({ job, signal, log, progress }) {
        const file = scriptPath(deps.scriptsDir, job.payload.script);
        await progress(0.05, `running ${job.payload.script}`);
        return runCommand(file, job.payload, signal, log);
      },
    }),
  ];
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/**
 * Linux: the script is killed when the worker thread that started it dies (`setpriv --pdeathsig KILL`), so a worker
 * killed with -9 leaves no script running on: the step's retry elsewhere is then its only run.
 */
function withParentDeath([cmd, args]: [string, string[]]): [string, string[]] {
  return SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', cmd, ...args]] : [cmd, args];
}

async function runCommand(file: string, p: CommandPayload, signal: AbortSignal, log: (m: string, level?: 'info' | 'warn' | 'error') => Promise<void>): Promise<Record<string, unknown>> {
  // .js/.mjs run on this Node; anything else must be executable itself. Never through a shell.
  const [cmd, args] = withParentDeath(/\.(m?js|cjs)$/.test(file) ? [process.execPath, [file]] : [file, []]);
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false, env: { PATH: process.env.PATH ?? '', SAGEBRUSH_STEP: '1' } });
  let stdout = '';
  let pending = '';
  let timedOut = false;
  const timer = p.timeoutSeconds ? setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), p.timeoutSeconds * 1000) : undefined;
  const onAbort = () => child.kill('SIGKILL');
  signal.addEventListener('abort', onAbort, { once: true });
  child.stdout.on('data', (d: Buffer) => {
    if (stdout.length < 1_000_000) stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    const lines = (pending + d.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) void log(l.slice(0, 2000));
  });
  child.stdin.on('error', () => undefined);
  child.stdin.end(JSON.stringify(p.inputs));
  const code = await new Promise<number | null>((res, rej) => {
    child.on('error', rej);
    child.on('close', (c) => res(c));
  }).finally(() => {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  });
  if (pending) await log(pending.slice(0, 2000));
  signal.throwIfAborted();
  const fail = (problem: string, fix: string) => new AppError('PIPELINE_COMMAND_FAILED', `Command script ${p.script}: ${problem}`, { problems: [{ field: 'script', problem, fix }] });
  if (timedOut) throw fail(`ran past its timeout of ${p.timeoutSeconds} s and was killed`, 'Raise timeoutSeconds or make the script faster.');
  if (code !== 0) throw fail(`exited with code ${code}`, 'Read the step log (its stderr) for the reason.');
  let out: unknown;
  try {
    out = JSON.parse(stdout.trim() || '{}');
  } catch {
    throw fail('did not print one JSON object on stdout', 'Print the outputs as one JSON object on stdout; log to stderr.');
  }
  if (!out || typeof out !== 'object' || Array.isArray(out)) throw fail('printed JSON that is not an object', 'Print the outputs as one JSON object.');
  for (const [k, t] of Object.entries(p.outputs)) {
    const v = (out as Record<string, unknown>)[k];
    if (!fitsType(v, t)) throw fail(`output "${k}" is ${JSON.stringify(v) ?? 'missing'}, not a ${t}`, `Print "${k}" as a ${t}, as the step declares.`);
  }
  return out as Record<string, unknown>;
}
