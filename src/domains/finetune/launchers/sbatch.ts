/**
 * Renders the sbatch script of a fine-tuning run. Injection-safe by construction: every #SBATCH value is checked
 * against a strict pattern (a value that fails is refused, never escaped into a directive), every path reaches the
 * shell only as a single-quoted word, and the per-node values ($SLURM_NODEID…) are expanded by the shell of each
 * srun task, not written into the script. One task per node runs torchrun, which starts the node's workers; the
 * rendezvous is static on the first node's NodeAddr.
 */
import { AppError } from '../../../core/errors.ts';
import { PARTITION_PATTERN, SLURM_TIME_PATTERN } from '../schema.ts';
import type { LaunchSpec } from './types.ts';

/** A word the shell reads literally: '…' with each ' written as '\''. NUL and newlines are refused. */
export function shellQuote(value: string): string {
  if (/[\0\n\r]/.test(value)) throw unsafe('a path', value);
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const SAFE_PATH = /^\/[A-Za-z0-9_./+@=-]*$/;
const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,63}$/;
const ENV_VALUE = /^[A-Za-z0-9_.,:/=@+-]{0,256}$/;

function unsafe(what: string, value: string): AppError {
  return new AppError('VALIDATION_FAILED', `Cannot render the Slurm script: ${what} ${JSON.stringify(value.slice(0, 80))} has characters that are not allowed there.`, {
    problems: [{ field: what, problem: 'unsafe characters for an sbatch directive', fix: 'Use letters, digits, "_", "-", "." and "/" (a data directory without spaces).' }],
  });
}

function check(what: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw unsafe(what, value);
  return value;
}

export interface SbatchOptions {
  /** Extra environment for every task (e.g. GLOO_SOCKET_IFNAME for the interface between nodes). */
  env?: Record<string, string>;
  /** Rendezvous port base: the port is base + job id mod 10000. */
  portBase?: number;
}

export function renderSbatch(spec: LaunchSpec, options: SbatchOptions = {}): string {
  if (spec.workers % spec.nodes !== 0) throw new AppError('VALIDATION_FAILED', `${spec.workers} workers do not split evenly over ${spec.nodes} nodes.`, { problems: [{ field: 'parallel.dataParallel', problem: `not a multiple of launcher.nodes (${spec.nodes})`, fix: `Use a multiple of ${spec.nodes} workers.` }] });
  const perNode = spec.workers / spec.nodes;
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=sb-ft-${check('runId', spec.runId, RUN_ID)}`,
    `#SBATCH --nodes=${spec.nodes}`,
    '#SBATCH --ntasks-per-node=1',
    `#SBATCH --cpus-per-task=${perNode}`,
    ...(spec.partition ? [`#SBATCH --partition=${check('launcher.partition', spec.partition, PARTITION_PATTERN)}`] : []),
    `#SBATCH --time=${check('launcher.time', spec.time, SLURM_TIME_PATTERN)}`,
    `#SBATCH --output=${check('runDir', spec.runDir, SAFE_PATH)}/slurm-%j.out`,
    `#SBATCH --chdir=${spec.runDir}`,
    '#SBATCH --open-mode=append',
    'set -euo pipefail',
    'export PYTHONUNBUFFERED=1 OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"',
    ...Object.entries(options.env ?? {}).map(([k, v]) => `export ${check('env name', k, ENV_NAME)}=${shellQuote(check(`env ${k}`, v, ENV_VALUE))}`),
    '# The rendezvous runs on the first node, at the address slurmd listens on (NodeAddr).',
    'first=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)',
    'addr=$(scontrol show node "$first" | sed -n \'s/.*NodeAddr=\\([^ ]*\\).*/\\1/p\' | head -n 1)',
    'export MASTER_ADDR="${addr:-$first}"',
    `export MASTER_PORT=$(( ${options.portBase ?? 20000} + SLURM_JOB_ID % 10000 ))`,
    'echo "sagebrush: job $SLURM_JOB_ID on $SLURM_JOB_NODELIST, rendezvous $MASTER_ADDR:$MASTER_PORT"',
    // One task per node; $SLURM_NODEID is expanded by that task's shell. Paths are positional arguments.
    `srun --kill-on-bad-exit=1 --nodes=${spec.nodes} --ntasks-per-node=1 bash -c 'exec "$0" "$1" --nnodes="$SLURM_JOB_NUM_NODES" --node_rank="$SLURM_NODEID" --nproc_per_node=${perNode} --master_addr="$MASTER_ADDR" --master_port="$MASTER_PORT" --max_restarts=0 "\${@:2}"' \\`,
    `  ${shellQuote(spec.python)} ${shellQuote(spec.torchrun)} ${shellQuote(spec.trainScript)} --config ${shellQuote(spec.configPath)}`,
    '',
  ];
  return lines.join('\n');
}
