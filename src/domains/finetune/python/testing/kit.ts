/**
 * Helpers for the trainer's vitest wrappers: run the Python scripts (Debian's python3 with torch), write run
 * configs and sample data, and ask node-llama-cpp (the engine that serves exported models) for its answers.
 * Locally the tests skip with a message when torch or the tiny model is missing; under CI (`process.env.CI`)
 * they run anyway, so a missing torch fails them instead of hiding them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLlamaContext, loadLlamaCpp, loadLlamaModel } from '../../../../runtimes/llama.ts';

export const PY_DIR = resolve(import.meta.dirname, '..');
export const PROBE = join(import.meta.dirname, 'probe.py');
export const PYTHON = process.env.SAGEBRUSH_PYTHON ?? '/usr/bin/python3';
export const TINY_DIR = resolve(PY_DIR, '../../../../../shared/data/llm-tiny');
export const TINY_GGUF = join(TINY_DIR, 'stories260K.gguf');
export const TINY_BIN = join(TINY_DIR, 'stories260K.bin');
export const TINY_TOK = join(TINY_DIR, 'tok512.bin');

/** Why these tests cannot run here (null: they can, or we are in CI where they must). */
export function trainerMissing(): string | null {
  if (process.env.CI) return null;
  if (!existsSync(TINY_GGUF)) return `the test model ${TINY_GGUF} is absent`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? null : `${PYTHON} has no torch (install python3-torch or set SAGEBRUSH_PYTHON)`;
}

export interface PyResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout's JSON lines, parsed. */
  lines: Array<Record<string, any>>;
}

export function parseLines(stdout: string): Array<Record<string, any>> {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
}

/** Runs `python3 ARGS…` (niced, one thread per process); `onLine` sees each stdout line as it comes. */
export function runPython(args: string[], opts: { env?: Record<string, string>; onLine?: (line: string, kill: () => void) => void; onSpawn?: (kill: () => void) => void } = {}): Promise<PyResult> {
  return new Promise((res, rej) => {
    const child = spawn('nice', ['-n', '10', PYTHON, ...args], { env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1', ...opts.env } });
    opts.onSpawn?.(() => child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        opts.onLine?.(line, () => child.kill('SIGKILL'));
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code, signal, stdout, stderr, lines: parseLines(stdout) }));
  });
}

export async function probe(...args: string[]): Promise<Record<string, any>> {
  const r = await runPython([PROBE, ...args]);
  if (r.code !== 0) throw new Error(`probe ${args[0]} failed (${r.code}): ${r.stderr.slice(-2000)}`);
  return r.lines.at(-1)!;
}

export function tempDir(prefix = 'sb-ft-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Seeded TinyStories-like sample data (python/stories.py). */
export async function writeStories(path: string, n: number, format = 'text', seed = 7): Promise<string> {
  const r = await runPython([join(PY_DIR, 'stories.py'), path, String(n), format, String(seed)]);
  if (r.code !== 0) throw new Error(r.stderr);
  return path;
}

type Json = Record<string, any>;

let configs = 0;

/** A new run-N.json in `dir` (finetune.md) for the tiny GGUF and `data`, with `over` merged section by section. */
export function writeRunConfig(dir: string, data: string, over: Json = {}): string {
  const cfg: Json = {
    base: { path: TINY_GGUF, format: 'gguf', tokenizer: null },
    data: { train: data, format: 'text', evalFraction: 0.1, packing: true },
    method: 'full',
    lora: { rank: 4, alpha: 8, dropout: 0, targets: ['wq', 'wk', 'wv', 'wo'] },
    hp: { lr: 0.003, schedule: 'cosine', warmupSteps: 2, maxSteps: 6, epochs: null, seqLen: 32, microBatch: 2, globalBatch: 4, seed: 1, evalEvery: 3, checkpointEvery: 2, gradClip: 1.0 },
    parallel: { dataParallel: 1, tensorParallel: 1, pipelineParallel: 1 },
    outDir: join(dir, 'out'),
    resume: true,
  };
  for (const [k, v] of Object.entries(over)) cfg[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? { ...cfg[k], ...v } : v;
  const path = join(dir, `run-${++configs}.json`);
  writeFileSync(path, JSON.stringify(cfg, null, 2));
  return path;
}

/** Greedy (temperature 0) continuation and the tokenization of `strings` by node-llama-cpp, on one thread. */
export async function llamaCpp(gguf: string, prompt: string, maxTokens: number, strings: string[] = []): Promise<{ text: string; tokenized: number[][] }> {
  const { LlamaCompletion } = await loadLlamaCpp();
  const model = await loadLlamaModel(gguf);
  const ctx = await createLlamaContext(model, { threads: 1, contextSize: 256 });
  try {
    const completion = new LlamaCompletion({ contextSequence: ctx.getSequence() });
    const text = await completion.generateCompletion(prompt, { maxTokens, temperature: 0 });
    return { text, tokenized: strings.map((s) => [...model.tokenize(s, false)]) };
  } finally {
    await ctx.dispose();
    await model.dispose();
  }
}
