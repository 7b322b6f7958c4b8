/**
 * Everything checked before a run starts: the base model (LLM catalog GGUF or uploaded llama2.c checkpoint), the data
 * (upload or dataset version, copied into the run directory), run.json, F1's inspect.py (model shape, bad rows), the
 * parallel sizes against the model's shape, and the launcher's allocation / partition. Any failure is one AppError
 * with a documented code naming the field and the fix; nothing is enqueued.
 */
import { execFile } from 'node:child_process';
import { closeSync, createWriteStream, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { AppError, type ErrorCode, type Problem } from '../../core/errors.ts';
import { firstCodeError, trainerError, type TrainerError } from './errors.ts';
import type { Launcher, LaunchSpec } from './launchers/types.ts';
import { parseMetricsLine } from './metrics.ts';
import { INSPECT_SCRIPT, TORCHRUN_SCRIPT, TRAIN_SCRIPT } from './python.ts';
import { inspectionSchema, type DataFormat, type FinetuneSpec, type Inspection, type RunConfig } from './schema.ts';
import type { Uploads } from './uploads.ts';

/** What preparing needs from other domains (wired in src/app from the LLM catalog and the datasets service). */
export interface FinetuneSources {
  /** A catalog model: its GGUF on this machine. */
  baseModel(ref: string): Promise<{ path: string; architecture: string; name: string; version: number; license: string | null }>;
  /** A dataset version's original file as a stream, and its file name. */
  datasetFile(dataset: string, version: number | undefined): Promise<{ stream: Readable; fileName: string }>;
}

/** The first non-empty line of a JSONL file decides its format; a .txt file is plain text. */
export function detectFormat(file: string, fileName: string): DataFormat {
  if (/\.txt$/i.test(fileName)) return 'text';
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(64 * 1024);
  const n = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  const first = buf.subarray(0, n).toString('utf8').split('\n').find((l) => l.trim()) ?? '';
  try {
    const keys = Object.keys(JSON.parse(first) as object);
    if (keys.includes('instruction') || keys.includes('response')) return 'instruction';
    if (keys.includes('prompt') || keys.includes('completion')) return 'prompt_completion';
    return 'text';
  } catch {
    return 'text';
  }
}

export async function resolveInputs(spec: FinetuneSpec, runDir: string, sources: FinetuneSources, uploads: Uploads): Promise<{ base: RunConfig['base']; data: RunConfig['data']; baseInfo: { name: string; license: string | null } }> {
  let base: RunConfig['base'];
  let baseInfo: { name: string; license: string | null };
  if (typeof spec.base === 'string') {
    const m = await sources.baseModel(spec.base);
    if (m.architecture !== 'llama') {
      throw new AppError('FINETUNE_UNKNOWN_ARCHITECTURE', `Base model ${m.name}:${m.version} has architecture "${m.architecture}"; the trainer fine-tunes llama-architecture models only.`, {
        problems: [{ field: 'base', problem: `unknown architecture "${m.architecture}"`, fix: 'Pick a llama-architecture GGUF (F32/F16) from the LLM catalog, or upload a llama2.c checkpoint.' }],
      });
    }
    base = { path: m.path, format: 'gguf', tokenizer: null };
    baseInfo = { name: m.name, license: m.license };
  } else {
    const ckpt = uploads.get(spec.base.checkpoint, 'base.checkpoint');
    base = { path: ckpt.path, format: 'llama2c', tokenizer: uploads.get(spec.base.tokenizer, 'base.tokenizer').path };
    baseInfo = { name: ckpt.fileName.replace(/\.bin$/i, ''), license: null };
  }
  let file: string;
  let fileName: string;
  if (spec.data.upload) {
    const u = uploads.get(spec.data.upload, 'data.upload');
    ({ path: file, fileName } = u);
  } else {
    const d = await sources.datasetFile(spec.data.dataset!, spec.data.version);
    fileName = d.fileName;
    file = join(runDir, /\.txt$/i.test(fileName) ? 'data.txt' : 'data.jsonl');
    await pipeline(d.stream, createWriteStream(file));
  }
  const format = spec.data.format ?? detectFormat(file, fileName);
  return { base, data: { train: file, format, evalFraction: spec.data.evalFraction, packing: spec.data.packing }, baseInfo };
}

export function runConfig(spec: FinetuneSpec, inputs: { base: RunConfig['base']; data: RunConfig['data'] }, runDir: string): RunConfig {
  return { base: inputs.base, data: inputs.data, method: spec.method, lora: spec.lora, hp: spec.hp, parallel: spec.parallel, outDir: runDir, resume: true };
}

/** Runs inspect.py on run.json: the inspection, or the trainer's own error as an AppError. */
export async function inspect(python: string, configPath: string, script = INSPECT_SCRIPT): Promise<Inspection> {
  const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number }>((res) => {
    execFile(python, [script, '--config', configPath], { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => res({ stdout, stderr, code: err ? (typeof err.code === 'number' ? err.code : 1) : 0 }));
  });
  const lines = stdout.split('\n').filter((l) => l.trim().startsWith('{'));
  for (const l of lines) {
    const e = parseMetricsLine(l);
    if (e?.type === 'error') throw trainerError(e as unknown as TrainerError);
  }
  if (code !== 0 || !lines.length) {
    const why = (stderr.trim().split('\n').at(-1) ?? '') || `exit code ${code}`;
    const missingTorch = /No module named 'torch'|ENOENT/.test(stderr + why);
    throw new AppError(missingTorch ? 'FINETUNE_LAUNCHER_UNAVAILABLE' : 'FINETUNE_TRAINER_FAILED', `inspect.py failed: ${why}`, {
      problems: [{ field: 'base', problem: why, fix: missingTorch ? 'Install python3-torch, or set SAGEBRUSH_PYTHON to an interpreter with torch.' : 'Read the message; check the base model and data files.' }],
    });
  }
  const parsed = inspectionSchema.safeParse(JSON.parse(lines.at(-1)!));
  if (!parsed.success) throw new AppError('FINETUNE_TRAINER_FAILED', `inspect.py printed an unexpected answer: ${parsed.error.message}`);
  return parsed.data;
}

const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

/** The parallel sizes and batch sizes against the model's shape and each other. */
export function shapeProblems(spec: FinetuneSpec, model: Inspection['model']): Array<Problem & { code: ErrorCode }> {
  const out: Array<Problem & { code: ErrorCode }> = [];
  const add = (field: string, problem: string, fix: string) => out.push({ field, problem, fix, code: 'FINETUNE_PARALLEL_INVALID' });
  const { tensorParallel: tp, pipelineParallel: pp, dataParallel: dp } = spec.parallel;
  if (model.arch !== 'llama') out.push({ field: 'base', problem: `unknown architecture "${model.arch}"`, fix: 'Use a llama-architecture model.', code: 'FINETUNE_UNKNOWN_ARCHITECTURE' });
  if (model.n_heads % tp !== 0 || model.n_kv_heads % tp !== 0) add('parallel.tensorParallel', `${tp} does not divide the model's ${model.n_heads} heads / ${model.n_kv_heads} KV heads`, `Use one of ${divisors(model.n_kv_heads).filter((d) => model.n_heads % d === 0).join(', ')}.`);
  if (model.n_layers % pp !== 0) add('parallel.pipelineParallel', `${pp} does not divide the model's ${model.n_layers} layers`, `Use one of ${divisors(model.n_layers).join(', ')}.`);
  const per = spec.hp.microBatch * dp;
  if (spec.hp.globalBatch % per !== 0) add('hp.globalBatch', `${spec.hp.globalBatch} is not a multiple of microBatch × dataParallel = ${spec.hp.microBatch} × ${dp} = ${per}`, `Use a global batch of ${per}, ${per * 2}, … (gradient accumulation = globalBatch / ${per}).`);
  if (spec.hp.seqLen > model.ctx) add('hp.seqLen', `${spec.hp.seqLen} is over the model's ${model.ctx}-token context`, `Use at most ${model.ctx}.`);
  return out;
}

/** The allocation problems of a launcher check, each with its code. */
export function launcherProblems(problems: Problem[]): Array<Problem & { code: ErrorCode }> {
  return problems.map((p) => ({
    ...p,
    code: p.field === 'launcher.partition' ? 'FINETUNE_PARTITION_UNKNOWN' : p.field === 'launcher.type' ? 'FINETUNE_LAUNCHER_UNAVAILABLE' : p.field === 'parallel.dataParallel' || p.field === 'launcher.nodes' ? 'FINETUNE_WORLD_SIZE_TOO_LARGE' : 'VALIDATION_FAILED',
  }));
}

export function launchSpec(runId: string, runDir: string, spec: FinetuneSpec, python: string): LaunchSpec {
  return { runId, runDir, configPath: join(runDir, 'run.json'), trainScript: TRAIN_SCRIPT, torchrun: TORCHRUN_SCRIPT, python, workers: spec.parallel.dataParallel, nodes: spec.launcher.nodes, partition: spec.launcher.partition, time: spec.launcher.time };
}

/** All checks after inspect: launcher first (nothing can run), then the shape, then the data rows. */
export async function validateRun(spec: FinetuneSpec, inspection: Inspection, launcher: Launcher, ls: LaunchSpec): Promise<void> {
  const allocation = launcherProblems(await launcher.check(ls));
  if (allocation.length) throw firstCodeError(allocation, 'The run cannot start here');
  const shape = shapeProblems(spec, inspection.model);
  if (shape.length) throw firstCodeError(shape, 'The parallel or batch settings do not fit');
  const rows = inspection.data.problems;
  if (rows.length || inspection.data.rows === 0) {
    const problems = rows.length ? rows.map((p) => ({ ...(p.row !== undefined ? { row: p.row } : {}), field: p.field ? `data.${p.field}` : 'data', problem: p.problem, fix: p.fix ?? 'Fix or remove the row.' })) : [{ field: 'data', problem: 'no rows', fix: 'Upload a file with at least a few rows.' }];
    throw new AppError('FINETUNE_DATA_INVALID', `The data has ${rows.length || 'no'} bad row(s): ${problems.slice(0, 5).map((p) => `${'row' in p ? `row ${p.row} ` : ''}${p.field}: ${p.problem}`).join('; ')}`, { problems });
  }
}

export function writeRunConfig(runDir: string, config: RunConfig): string {
  const path = join(runDir, 'run.json');
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}
