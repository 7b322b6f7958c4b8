/**
 * The local launcher: torchrun (`python torchrun.py --standalone --nproc_per_node=N`) on this machine,
 * gloo on CPU. The world size may not exceed this machine's cores: oversubscribed DDP on CPU only gets slower.
 */
import { cpus } from 'node:os';
import type { Problem } from '../../../core/errors.ts';
import { startGroup } from './process.ts';
import { failedRankFromOutput, type Launcher, type LaunchSpec } from './types.ts';

export interface LocalLauncherOptions {
  /** Cores this machine offers (default: os.cpus().length). */
  cores?: number;
  env?: Record<string, string>;
}

export function torchrunArgs(spec: LaunchSpec): string[] {
  return [spec.torchrun, '--standalone', '--nnodes=1', `--nproc_per_node=${spec.workers}`, '--max_restarts=0', spec.trainScript, '--config', spec.configPath];
}

export function createLocalLauncher(options: LocalLauncherOptions = {}): Launcher {
  const cores = options.cores ?? cpus().length;
  return {
    type: 'local',
    async check(spec) {
      const problems: Problem[] = [];
      if (spec.nodes !== 1) problems.push({ field: 'launcher.nodes', problem: `the local launcher runs on one machine, not ${spec.nodes} nodes`, fix: 'Use launcher.nodes = 1, or the slurm launcher for several nodes.' });
      if (spec.workers > cores) problems.push({ field: 'parallel.dataParallel', problem: `world size ${spec.workers} is larger than this machine's ${cores} cores`, fix: `Use at most ${cores} workers here, or the slurm launcher on a cluster with more.` });
      return problems;
    },
    async launch(spec, io) {
      const env = { ...process.env, PYTHONUNBUFFERED: '1', OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1', ...options.env };
      const group = startGroup(spec.python, [spec.python, ...torchrunArgs(spec)], { cwd: spec.runDir, env, onLine: io.onLine });
      return {
        id: String(group.pid),
        cancel: group.cancel,
        done: group.done.then((g) => ({
          ok: g.exitCode === 0 && !g.cancelled,
          exitCode: g.exitCode,
          signal: g.signal,
          cancelled: g.cancelled,
          detail: failedRankFromOutput(g.tail) ?? (g.exitCode === 0 ? '' : `torchrun exited with ${g.signal ?? `code ${g.exitCode}`}`),
        })),
      };
    },
  };
}
