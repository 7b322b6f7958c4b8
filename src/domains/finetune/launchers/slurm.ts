/**
 * The Slurm launcher: renders the sbatch script (sbatch.ts), submits it with `sbatch --parsable`, follows the job
 * with squeue (then scontrol / sacct for the final state and exit code), streams the job's output file as it grows,
 * and cancels with scancel. `wrap` prefixes every Slurm command (e.g. `ip netns exec NS` for the test cluster whose
 * controller lives in a network namespace). Commands run without a shell: arguments are never parsed.
 */
import { execFile } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Problem } from '../../../core/errors.ts';
import { renderSbatch, type SbatchOptions } from './sbatch.ts';
import { failedRankFromOutput, type LaunchExit, type Launcher } from './types.ts';

const run = promisify(execFile);

export interface SlurmLauncherOptions extends SbatchOptions {
  wrap?: string[];
  /** squeue poll interval (default 1 s). */
  pollMs?: number;
}

export interface PartitionInfo { name: string; isDefault: boolean; nodes: number; cpusPerNode: number; state: string }

/** `sinfo -h -o "%P %D %c %a"` → partitions (a trailing "*" marks the default; several lines per partition add up). */
export function parseSinfo(out: string): PartitionInfo[] {
  const by = new Map<string, PartitionInfo>();
  for (const line of out.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const [p, d, c, a] = line.split(/\s+/);
    const isDefault = p!.endsWith('*');
    const name = p!.replace(/\*$/, '');
    const cpus = Number(String(c).replace(/\+$/, '')) || 0;
    const prev = by.get(name);
    by.set(name, { name, isDefault, nodes: (prev?.nodes ?? 0) + (Number(d) || 0), cpusPerNode: Math.max(prev?.cpusPerNode ?? 0, cpus), state: a ?? 'up' });
  }
  return [...by.values()];
}

/** squeue/scontrol/sacct states that mean the job has ended. */
const ENDED = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE)/;

export function createSlurmLauncher(options: SlurmLauncherOptions = {}): Launcher {
  const wrap = options.wrap ?? [];
  const cmd = async (tool: string, args: string[]) => {
    const [file, ...pre] = wrap.length ? wrap : [tool];
    const { stdout } = await run(file!, wrap.length ? [...pre, tool, ...args] : args, { timeout: 30_000 });
    return stdout;
  };

  async function partitions(): Promise<PartitionInfo[] | string> {
    try {
      return parseSinfo(await cmd('sinfo', ['-h', '-o', '%P %D %c %a']));
    } catch (err) {
      return (err as Error).message.split('\n')[0]!;
    }
  }

  async function finalState(id: string): Promise<{ state: string; exitCode: number | null; signal: number | null }> {
    for (const attempt of [
      async () => {
        const out = await cmd('scontrol', ['show', 'job', '-o', id]);
        const state = /JobState=(\S+)/.exec(out)?.[1];
        const code = /ExitCode=(\d+):(\d+)/.exec(out);
        return state ? { state, exitCode: code ? Number(code[1]) : null, signal: code ? Number(code[2]) : null } : null;
      },
      async () => {
        const line = (await cmd('sacct', ['-n', '-P', '-X', '-j', id, '-o', 'State,ExitCode'])).trim().split('\n')[0] ?? '';
        const [state, code] = line.split('|');
        const [e, s] = (code ?? '').split(':').map(Number);
        return state ? { state: state.split(' ')[0]!, exitCode: Number.isFinite(e) ? e! : null, signal: Number.isFinite(s) ? s! : null } : null;
      },
    ]) {
      const r = await attempt().catch(() => null);
      if (r) return r;
    }
    return { state: 'UNKNOWN', exitCode: null, signal: null };
  }

  return {
    type: 'slurm',
    async check(spec) {
      const parts = await partitions();
      if (typeof parts === 'string') return [{ field: 'launcher.type', problem: `Slurm is not reachable here (sinfo: ${parts})`, fix: 'Start the cluster (scripts/slurm/up.sh) or use the local launcher.' }];
      const problems: Problem[] = [];
      const part = spec.partition ? parts.find((p) => p.name === spec.partition) : parts.find((p) => p.isDefault) ?? parts[0];
      if (!part) {
        problems.push({ field: 'launcher.partition', problem: spec.partition ? `Slurm partition "${spec.partition}" does not exist` : 'the cluster has no partition', fix: `Use one of: ${parts.map((p) => p.name).join(', ') || '(none — configure a partition in slurm.conf)'}.` });
        return problems;
      }
      if (spec.workers % spec.nodes !== 0) problems.push({ field: 'parallel.dataParallel', problem: `${spec.workers} workers do not split evenly over ${spec.nodes} nodes`, fix: `Use a multiple of ${spec.nodes} workers.` });
      if (spec.nodes > part.nodes) problems.push({ field: 'launcher.nodes', problem: `${spec.nodes} nodes requested, partition "${part.name}" has ${part.nodes}`, fix: `Use at most ${part.nodes} nodes.` });
      const perNode = Math.ceil(spec.workers / spec.nodes);
      if (perNode > part.cpusPerNode || spec.workers > part.nodes * part.cpusPerNode) {
        problems.push({ field: 'parallel.dataParallel', problem: `world size ${spec.workers} is larger than the allocation (${Math.min(spec.nodes, part.nodes)} node(s) × ${part.cpusPerNode} CPUs in partition "${part.name}")`, fix: `Use at most ${Math.min(spec.nodes, part.nodes) * part.cpusPerNode} workers, or more nodes.` });
      }
      return problems;
    },

    async launch(spec, io) {
      const script = join(spec.runDir, 'sbatch.sh');
      writeFileSync(script, renderSbatch(spec, options), { mode: 0o644 });
      const id = (await cmd('sbatch', ['--parsable', script])).trim().split(';')[0]!;
      io.onLine(`submitted Slurm job ${id}`);
      const logFile = join(spec.runDir, `slurm-${id}.out`);
      let offset = 0;
      let partial = '';
      const tail: string[] = [];
      const drain = () => {
        if (!existsSync(logFile)) return;
        const size = statSync(logFile).size;
        if (size <= offset) return;
        const fd = openSync(logFile, 'r');
        const buf = Buffer.alloc(size - offset);
        readSync(fd, buf, 0, buf.length, offset);
        closeSync(fd);
        offset = size;
        const parts = (partial + buf.toString('utf8')).split('\n');
        partial = parts.pop() ?? '';
        for (const l of parts) {
          tail.push(l);
          if (tail.length > 200) tail.shift();
          io.onLine(l);
        }
      };
      let cancelled = false;
      const done = (async (): Promise<LaunchExit> => {
        for (;;) {
          drain();
          const state = (await cmd('squeue', ['-h', '-j', id, '-o', '%T']).catch(() => '')).trim();
          if (!state || ENDED.test(state)) break;
          await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
        }
        const end = await finalState(id);
        drain();
        if (partial) io.onLine(partial);
        const ok = end.state.startsWith('COMPLETED') && end.exitCode === 0;
        return { ok: ok && !cancelled, exitCode: end.exitCode, signal: end.signal ? `signal ${end.signal}` : null, cancelled: cancelled || end.state.startsWith('CANCELLED'), detail: ok ? '' : `${failedRankFromOutput(tail) ?? 'the job failed'} (Slurm job ${id}: ${end.state}, exit ${end.exitCode ?? '?'}:${end.signal ?? '?'})` };
      })();
      return {
        id,
        done,
        async cancel() {
          cancelled = true;
          await cmd('scancel', [id]).catch(() => undefined);
          await done;
        },
      };
    },
  };
}
