/**
 * Checkpoint → GGUF → LLM catalog → endpoint, in one flow. The GGUF is written by F1's export.py (LoRA merged,
 * the base's tokenizer metadata copied) to a temp name in the run's exports/ folder and renamed; registering and
 * deploying go through the LLM catalog and the endpoints service (ports wired in src/app), not a copy of them.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../core/errors.ts';
import { listCheckpoints, type CheckpointInfo } from './checkpoints.ts';
import { parseMetricsLine } from './metrics.ts';
import { EXPORT_SCRIPT } from './python.ts';

/** Registers a GGUF in the LLM catalog and deploys a model version on an endpoint (created, or re-pointed). */
export interface FinetuneCatalog {
  register(input: { path: string; name: string; license: string | null; description: string }): Promise<{ id: string; name: string; version: number }>;
  deploy(endpoint: string, modelId: string): Promise<'created' | 'updated'>;
}

export function pickCheckpoint(runDir: string, step?: number): CheckpointInfo {
  const all = listCheckpoints(runDir);
  const found = step === undefined ? (all.find((c) => c.latest) ?? all.at(-1)) : all.find((c) => c.step === step);
  if (!found) {
    throw new AppError('FINETUNE_NO_CHECKPOINT', step === undefined ? 'The run has no checkpoint yet.' : `The run has no checkpoint at step ${step}.`, {
      problems: [{ field: 'step', problem: step === undefined ? 'no checkpoint on disk' : `no checkpoint at step ${step}`, fix: all.length ? `Use one of steps ${all.map((c) => c.step).join(', ')}.` : 'Wait for the first checkpoint (hp.checkpointEvery) or let the run finish.' }],
    });
  }
  return found;
}

export async function exportGguf(python: string, checkpoint: CheckpointInfo, basePath: string, runDir: string): Promise<{ path: string; bytes: number; sha256: string }> {
  const dir = join(runDir, 'exports');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${checkpoint.name}.gguf`);
  const tmp = join(dir, `.tmp-${checkpoint.name}.gguf`);
  const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number }>((res) => {
    execFile(python, [EXPORT_SCRIPT, '--checkpoint', checkpoint.path, '--base', basePath, '--out', tmp], { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 }, (err, so, se) => res({ stdout: so, stderr: se, code: err ? (typeof err.code === 'number' ? err.code : 1) : 0 }));
  });
  const events = stdout.split('\n').map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return parseMetricsLine(l); } }).filter(Boolean) as Array<Record<string, unknown>>;
  const done = events.find((e) => e.type === 'export');
  if (code !== 0 || !done) {
    rmSync(tmp, { force: true });
    const err = events.find((e) => e.type === 'error');
    const why = err ? String(err.message) : (stderr.trim().split('\n').at(-1) ?? `exit ${code}`);
    throw new AppError('FINETUNE_EXPORT_FAILED', `Exporting ${checkpoint.name} to GGUF failed: ${why}`, { problems: [{ field: 'checkpoint', problem: why, fix: 'Check that the checkpoint and the base model are still on disk, then export again.' }] });
  }
  renameSync(tmp, out);
  return { path: out, bytes: Number(done.bytes), sha256: String(done.sha256) };
}
