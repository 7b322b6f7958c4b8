/** Pure parts of fine-tuning: sbatch rendering (injection-safe), sinfo parsing and the Slurm check, metrics, shape checks. */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { trainerError } from './errors.ts';
import { createSlurmLauncher, failedRankFromOutput, parseSinfo, renderSbatch, shellQuote, type LaunchExit, type LaunchSpec } from './launchers/index.ts';
import { trainJob } from './jobs.ts';
import { GUARD } from './launchers/process.ts';
import { parseMetricsLine, series, summarize, type MetricsEvent } from './metrics.ts';
import { shapeProblems } from './prepare.ts';
import { finetuneSpecSchema } from './schema.ts';

const spec: LaunchSpec = { runId: 'ft_abc', runDir: '/data/finetune/runs/ft_abc', configPath: "/data/it's here/run.json", trainScript: '/app/train.py', torchrun: '/app/torchrun.py', python: '/usr/bin/python3', workers: 4, nodes: 2, partition: 'debug', time: '1:00:00' };
const dir = mkdtempSync(join(tmpdir(), 'sb-ft-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sbatch rendering', () => {
  it('renders nodes, tasks per node, partition, time, output file and srun torchrun with a static rendezvous on the first node', () => {
    const s = renderSbatch(spec, { env: { GLOO_SOCKET_IFNAME: 'sbft' } });
    expect(s).toContain('#SBATCH --nodes=2\n#SBATCH --ntasks-per-node=1\n#SBATCH --cpus-per-task=2\n#SBATCH --partition=debug\n#SBATCH --time=1:00:00\n#SBATCH --output=/data/finetune/runs/ft_abc/slurm-%j.out');
    expect(s).toContain('#SBATCH --job-name=sb-ft-ft_abc');
    expect(s).toContain("export GLOO_SOCKET_IFNAME='sbft'");
    expect(s).toMatch(/srun --kill-on-bad-exit=1 --nodes=2 --ntasks-per-node=1 bash -c 'exec "\$0" "\$1" --nnodes="\$SLURM_JOB_NUM_NODES" --node_rank="\$SLURM_NODEID" --nproc_per_node=2 --master_addr="\$MASTER_ADDR"/);
    // Paths reach the shell as single-quoted words only.
    expect(s).toContain(`'/usr/bin/python3' '/app/torchrun.py' '/app/train.py' --config '/data/it'\\''s here/run.json'`);
  });

  it('refuses values that could become directives or commands instead of escaping them', () => {
    expect(() => renderSbatch({ ...spec, partition: 'debug\n#SBATCH --uid=0' })).toThrow(/launcher.partition/);
    expect(() => renderSbatch({ ...spec, time: '1:00:00; rm -rf /' })).toThrow(/launcher.time/);
    expect(() => renderSbatch({ ...spec, runDir: '/data/$(reboot)' })).toThrow(/runDir/);
    expect(() => renderSbatch({ ...spec, runId: 'a b' })).toThrow(/runId/);
    expect(() => renderSbatch(spec, { env: { 'A;B': 'x' } })).toThrow(/env name/);
    expect(() => renderSbatch(spec, { env: { A: '$(id)' } })).toThrow(/env A/);
    expect(() => shellQuote('a\nb')).toThrow();
    expect(() => renderSbatch({ ...spec, workers: 3 })).toThrow(/split evenly/);
  });

  it('requests name uploads by id, never by path', () => {
    for (const upload of ['../../etc/passwd', '/etc/passwd', 'ftu_../x', 'ftu_a/b']) {
      expect(finetuneSpecSchema.safeParse({ base: 'tiny', data: { upload } }).success, upload).toBe(false);
      expect(finetuneSpecSchema.safeParse({ base: { checkpoint: upload, tokenizer: 'ftu_1' }, data: { upload: 'ftu_1' } }).success, upload).toBe(false);
    }
  });

  it('the schema refuses the same characters at the API', () => {
    const r = finetuneSpecSchema.safeParse({ base: 'tiny', data: { upload: 'ftu_1' }, launcher: { type: 'slurm', partition: 'a;b', time: 'x' } });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['launcher.partition', 'launcher.time']);
  });
});

describe('Slurm check (sinfo through a stand-in command)', () => {
  const fake = join(dir, 'fake-slurm.sh');
  writeFileSync(fake, '#!/bin/sh\n[ "$1" = sinfo ] && printf "debug* 1 2 up\\nbig 2 4 up\\n"\n');
  chmodSync(fake, 0o755);
  const launcher = createSlurmLauncher({ wrap: [fake] });
  const s = (o: Partial<LaunchSpec>) => ({ ...spec, ...o });

  it('parses partitions, the default marked', () => {
    expect(parseSinfo('debug* 1 2 up\nbig 2 4 up\nbig 1 4 up\n')).toEqual([
      { name: 'debug', isDefault: true, nodes: 1, cpusPerNode: 2, state: 'up' },
      { name: 'big', isDefault: false, nodes: 3, cpusPerNode: 4, state: 'up' },
    ]);
  });
  it('names an unknown partition with the ones that exist', async () => {
    expect(await launcher.check(s({ partition: 'gpu' }))).toEqual([expect.objectContaining({ field: 'launcher.partition', problem: 'Slurm partition "gpu" does not exist', fix: 'Use one of: debug, big.' })]);
  });
  it('refuses a world size larger than the allocation, and more nodes than the partition has', async () => {
    expect(await launcher.check(s({ partition: 'debug', nodes: 1, workers: 2 }))).toEqual([]);
    expect(await launcher.check(s({ partition: 'debug', nodes: 1, workers: 3 }))).toEqual([expect.objectContaining({ field: 'parallel.dataParallel', fix: 'Use at most 2 workers, or more nodes.' })]);
    expect((await launcher.check(s({ partition: 'big', nodes: 4, workers: 4 }))).map((p) => p.field)).toEqual(['launcher.nodes']);
  });
  it('says when Slurm cannot be reached', async () => {
    const none = createSlurmLauncher({ wrap: [join(dir, 'absent')] });
    expect((await none.check(spec))[0]).toMatchObject({ field: 'launcher.type', problem: expect.stringMatching(/Slurm is not reachable/) });
  });
});

describe('metrics', () => {
  const lines = [
    '{"type":"start","world_size":2,"resumed_from_step":0,"base_eval_loss":2.5}',
    '{"type":"step","step":1,"loss":2.4,"lr":0.001,"grad_norm":1.2,"tokens_per_s":900,"seqs_per_s":7}',
    'W1206 torch warning line',
    '{"type":"step","step":2,"loss":2.0,"lr":0.002,"grad_norm":1.0,"tokens_per_s":1000,"seqs_per_s":8}',
    '{"type":"eval","step":2,"eval_loss":2.1}',
    '{"type":"checkpoint","step":2,"path":"/r/checkpoints/step-000002"}',
    '{"type":"start","world_size":2,"resumed_from_step":2}',
    '{"type":"step","step":3,"loss":1.9,"lr":0.002,"tokens_per_s":1100,"seqs_per_s":9}',
    '{"type":"step","step":4,"loss":1.8,"lr":0.001,"tokens_per_s":1300,"seqs_per_s":10}',
    '{"type":"done","step":4,"final_loss":1.8,"eval_loss":1.7,"base_eval_loss":2.5}',
    '{"type":"step","step":5,"loss":',
  ];
  const events = lines.map(parseMetricsLine).filter((e): e is MetricsEvent => e !== null);

  it('skips noise and a torn last line', () => expect(events).toHaveLength(9));
  it('series per metric against the step', () => {
    expect(series(events, 'loss')).toEqual([{ step: 1, value: 2.4 }, { step: 2, value: 2 }, { step: 3, value: 1.9 }, { step: 4, value: 1.8 }]);
    expect(series(events, 'eval_loss')).toEqual([{ step: 2, value: 2.1 }]);
    expect(series(events, 'grad_norm')).toHaveLength(2);
  });
  it('summary: the newest attempt\'s throughput (first report excluded), base vs final eval loss', () => {
    expect(summarize(events)).toMatchObject({ worldSize: 2, step: 4, resumedFromStep: 2, baseEvalLoss: 2.5, evalLoss: 1.7, finalLoss: 1.8, tokensPerSecond: 1300, seqsPerSecond: 10, done: true, error: null });
  });
});

describe('checks and errors', () => {
  const model = { arch: 'llama', dim: 64, n_layers: 5, n_heads: 8, n_kv_heads: 4, vocab: 512, ctx: 512 };
  const parsed = (o: object) => finetuneSpecSchema.parse({ base: 'tiny', data: { upload: 'ftu_1' }, ...o });
  it('tensor parallel must divide the heads, pipeline parallel the layers, the global batch micro × workers', () => {
    expect(shapeProblems(parsed({}), model)).toEqual([]);
    const p = shapeProblems(parsed({ parallel: { dataParallel: 2, tensorParallel: 3, pipelineParallel: 2 }, hp: { microBatch: 4, globalBatch: 12, seqLen: 1024 } }), model);
    expect(p.map((x) => [x.field, x.code])).toEqual([
      ['parallel.tensorParallel', 'FINETUNE_PARALLEL_INVALID'], ['parallel.pipelineParallel', 'FINETUNE_PARALLEL_INVALID'], ['hp.globalBatch', 'FINETUNE_PARALLEL_INVALID'], ['hp.seqLen', 'FINETUNE_PARALLEL_INVALID'],
    ]);
    expect(p[0]!.fix).toBe('Use one of 1, 2, 4.');
    expect(p[1]!.fix).toBe('Use one of 1, 5.');
    expect(shapeProblems(parsed({}), { ...model, arch: 'gpt2' })[0]).toMatchObject({ field: 'base', code: 'FINETUNE_UNKNOWN_ARCHITECTURE' });
  });
  it('maps the trainer\'s error lines to documented codes, keeping its own code on the problem', () => {
    expect(trainerError({ code: 'FINETUNE_UNKNOWN_ARCHITECTURE', message: 'arch gpt2', field: 'base.path', fix: 'x' })).toMatchObject({ code: 'FINETUNE_UNKNOWN_ARCHITECTURE', problems: [{ field: 'base' }] });
    expect(trainerError({ code: 'FINETUNE_BAD_TOKENIZER', message: 'm', field: 'base.tokenizer' })).toMatchObject({ code: 'FINETUNE_BAD_MODEL', problems: [{ code: 'FINETUNE_BAD_TOKENIZER' }] });
    expect(trainerError({ code: 'FINETUNE_ROW_TOO_LONG', message: 'm', row: 3, field: 'response' }).code).toBe('FINETUNE_DATA_INVALID');
    expect(trainerError({ code: 'FINETUNE_BAD_CONFIG', message: 'm', field: 'hp.lr' }).code).toBe('FINETUNE_CONFIG_INVALID');
  });
  it('reads which worker torchrun saw fail', () => {
    expect(failedRankFromOutput(['  rank      : 1 (local_rank: 1)', '  exitcode  : -9 (pid: 123)', 'Signal 9 (SIGKILL) received by PID 123'])).toBe('worker rank 1 killed by SIGKILL');
    expect(failedRankFromOutput(['all good'])).toBeNull();
  });
});

describe('guard.py', () => {
  /** Pids of the processes in process group `pgid` named `comm`. */
  const inGroup = (pgid: number, comm: string) => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return stat.includes(`(${comm})`) && Number(fields[2]) === pgid;
    } catch {
      return false;
    }
  }).map(Number);
  const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

  it('ends its process group (the trainer) when the process that started it is killed with SIGKILL', async () => {
    // bash stands for the server: its own process group (as the launcher's detached spawn), guard and "trainer" inside.
    const parent = spawn('bash', ['-c', `/usr/bin/python3 ${GUARD} -- sleep 120 & wait`], { detached: true, stdio: 'ignore' });
    let sleeper = 0;
    await vi.waitFor(() => { [sleeper = 0] = inGroup(parent.pid!, 'sleep'); expect(sleeper).toBeGreaterThan(0); }, { timeout: 10_000, interval: 50 });
    process.kill(parent.pid!, 'SIGKILL');
    await vi.waitFor(() => expect(alive(sleeper)).toBe(false), { timeout: 10_000, interval: 100 });
  });
});

describe('following a run (finetune.train)', () => {
  /** A launch whose processes never end by themselves (a worker stuck after "done", or hung), and its metrics file. */
  function stuckLaunch(lines: string[]) {
    const runDir = mkdtempSync(join(dir, 'run-'));
    let cancelled = false;
    let end: (v: LaunchExit) => void = () => {};
    const done = new Promise<LaunchExit>((r) => (end = r));
    return {
      wasCancelled: () => cancelled,
      deps: {
        create: async () => 'r',
        afterSuccess: async () => ({ model: null, endpoint: null }),
        launch: async () => {
          setTimeout(() => writeFileSync(join(runDir, 'metrics.jsonl'), `${lines.join('\n')}\n`), 50);
          return { runDir, maxSteps: 2, workers: 2, name: 'r', handle: { id: '1', done, cancel: async () => { cancelled = true; end({ ok: false, exitCode: null, signal: 'SIGTERM', cancelled: true, detail: '' }); } } };
        },
      },
    };
  }
  const ctx = () => ({ job: { id: 'job_1', payload: { runId: 'r' } }, signal: new AbortController().signal, progress: async () => {}, log: async () => {} }) as never;
  const lines = ['{"type":"start","world_size":2,"resumed_from_step":0,"base_eval_loss":2.5}', '{"type":"step","step":2,"loss":1.0,"lr":0.001,"tokens_per_s":10,"seqs_per_s":1}'];

  it('stops workers still running after the "done" line and counts the run as finished', async () => {
    const l = stuckLaunch([...lines, '{"type":"done","step":2,"final_loss":1.0,"eval_loss":1.1,"base_eval_loss":2.5}']);
    const result = await trainJob({ ...l.deps, doneGraceMs: 300 }).run(ctx());
    expect(l.wasCancelled()).toBe(true);
    expect(result).toMatchObject({ status: 'succeeded', steps: 2, evalLoss: 1.1, evalLossBase: 2.5 });
  });

  it('a run that goes silent is stopped at the stall limit and fails FINETUNE_WORKER_FAILED (never hangs)', async () => {
    const l = stuckLaunch(lines);
    await expect(trainJob({ ...l.deps, stallMs: 1500 }).run(ctx())).rejects.toMatchObject({ code: 'FINETUNE_WORKER_FAILED', message: expect.stringMatching(/wrote nothing for 2 s/) });
    expect(l.wasCancelled()).toBe(true);
  });
});
