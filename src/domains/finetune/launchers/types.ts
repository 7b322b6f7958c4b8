/**
 * One interface for every way a fine-tuning run is started (docs/finetune.md maps it onto Ray Train and Kubeflow's
 * PyTorchJob): `check` refuses what cannot run before anything starts (allocation, partition), `launch` starts the
 * trainer's processes and returns a handle whose `done` settles when they have all ended — never left pending
 * when a worker dies — and `cancel` stops them all.
 */
import type { Problem } from '../../../core/errors.ts';

export type LauncherType = 'local' | 'slurm';

export interface LaunchSpec {
  /** Names the Slurm job (sb-ft-<runId>); letters, digits, "_" and "-" only. */
  runId: string;
  /** The run directory (shared by every node): run.json, metrics.jsonl, checkpoints, logs. */
  runDir: string;
  configPath: string;
  /** python/train.py, absolute. */
  trainScript: string;
  /** The interpreter with torch. */
  python: string;
  /** torchrun as a script the interpreter runs (python/torchrun.py). */
  torchrun: string;
  /** World size: processes in all. */
  workers: number;
  nodes: number;
  partition?: string;
  /** Slurm --time. */
  time: string;
}

/** How the processes ended. `failedRank`/`detail` say which worker failed and why, from the launcher's output. */
export interface LaunchExit {
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  cancelled: boolean;
  detail: string;
}

export interface LaunchHandle {
  /** The local process group id or the Slurm job id. */
  id: string;
  done: Promise<LaunchExit>;
  cancel(): Promise<void>;
}

export interface LaunchIo {
  /** Every output line of the launcher and the workers (stdout, stderr or the Slurm output file). */
  onLine(line: string): void;
}

export interface Launcher {
  readonly type: LauncherType;
  /** Problems (field + fix) that make this launch impossible here; empty when it can start. */
  check(spec: LaunchSpec): Promise<Problem[]>;
  launch(spec: LaunchSpec, io: LaunchIo): Promise<LaunchHandle>;
}

/** torchrun's report of the first failed worker ("rank: 1 (local_rank: 1) … exitcode: -9"), if present. */
export function failedRankFromOutput(lines: string[]): string | null {
  const text = lines.join('\n');
  const rank = /rank\s*:\s*(\d+)\s*\(local_rank:\s*(\d+)\)/.exec(text);
  const code = /exitcode\s*:\s*(-?\d+)/.exec(text);
  const sig = /Signal\s+(\d+)\s+\((SIG[A-Z]+)\)/.exec(text);
  if (!rank && !code) return null;
  const why = sig ? `killed by ${sig[2]}` : code ? (Number(code[1]) < 0 ? `killed by signal ${-Number(code[1])}` : `exit code ${code[1]}`) : 'failed';
  return rank ? `worker rank ${rank[1]} ${why}` : `a worker ${why}`;
}
