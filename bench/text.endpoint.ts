/**
 * Endpoint benchmark driver: starts the real server in a child process (bench/text.server.ts), trains and deploys a
 * model through the HTTP API exactly as a user would (upload both CSVs with `POST /api/v1/datasets?wait=true`,
 * `POST /api/v1/text/classifiers`, poll the job, `POST /api/v1/endpoints`), then runs bench/text.load.ts in a
 * second child process against it, pinned to CPU 0 with taskset (the server may use every core). Each server
 * configuration (scoring threads: the default, and 0 = inline on the event loop, as before issue 17) is a fresh server
 * process on the same data dir, so the rows compare in one run. The default server also gets two 1,000-request
 * bursts (bench/text.burst.ts) with its RSS read before and after. Everything talks to 127.0.0.1 only.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { startBenchServer } from './serverProcess.ts';
import { REPO_ROOT } from './text.peers.ts';

export interface LoadResult {
  concurrency: number;
  warmup: number;
  count: number;
  seconds: number;
  reqPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  statuses: Record<string, number>;
  firstError?: string;
  /** CPUs the load generator could use. */
  cores: number;
  /** 1-minute load average of the machine when the level started (other work shares it). */
  loadAvg?: number;
  /** The server's CPU per measured request (µs, user + system, from /proc): its event loop, its busiest other thread (the scoring thread when there is one), every other thread together. */
  serverCpuUs?: ServerCpu;
}

export interface ServerCpu {
  eventLoop: number;
  busiestOther: number;
  rest: number;
}

export interface BurstResult {
  count: number;
  valid: number;
  malformed: number;
  validOk: number;
  validWrong: number;
  badRefused: number;
  serverErrors: number;
  statuses: Record<string, number>;
  seconds: number;
}

export interface ServerRun {
  label: string;
  /** SAGEBRUSH_SCORING_THREADS of this server (null: the default). */
  threads: number | null;
  loads: LoadResult[];
  peakRssMb: number | null;
}

export interface EndpointResult {
  /** One run per server configuration, each with one result per load level, in the order asked. */
  runs: ServerRun[];
  /** Server RSS (MB) before the bursts, after the first, after the second; the bursts' results. */
  burst?: { rssMb: number[]; results: BurstResult[] };
  /** CPUs the server process could use, and the CPU list the load generator was pinned to. */
  serverCores: number;
  loadCpus: string;
  /** The train job's own timing and the whole API round (uploads + job + deploy). */
  trainSeconds: number;
  setupSeconds: number;
  serverPeakRssMb: number | null;
  sample: unknown;
}

export async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    ...(body instanceof FormData ? { body } : body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

async function uploadCsv(base: string, file: string, name: string): Promise<void> {
  const form = new FormData();
  form.append('name', name);
  form.append('format', 'csv');
  form.append('header', 'false');
  form.append('file', new Blob([readFileSync(file)], { type: 'text/csv' }), basename(file));
  await api(base, 'POST', '/api/v1/datasets?wait=true', form);
}

export interface JobView {
  id: string;
  status: string;
  result?: { train_seconds?: number } | null;
  error?: unknown;
}

async function waitJob(base: string, id: string, timeoutMs = 15 * 60_000): Promise<JobView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await api<JobView>(base, 'GET', `/api/v1/jobs/${id}`);
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    if (Date.now() > until) throw new Error(`job ${id} still ${job.status} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Uploads both CSVs, trains `bench-toxic` through the API and deploys it at endpoint `toxic`; the train job. */
export async function deployBenchModel(base: string, trainFile: string, testFile: string): Promise<JobView> {
  await uploadCsv(base, trainFile, 'bench-train');
  await uploadCsv(base, testFile, 'bench-test');
  const accepted = await api<{ job: { id: string } }>(base, 'POST', '/api/v1/text/classifiers', { name: 'bench-toxic', dataset: 'bench-train', testDataset: 'bench-test', mode: 'multi-label' });
  const job = await waitJob(base, accepted.job.id);
  if (job.status !== 'succeeded') throw new Error(`train job ${job.status}: ${JSON.stringify(job.error)}`);
  await api(base, 'POST', '/api/v1/endpoints', { name: 'toxic', model: 'bench-toxic:1' });
  return job;
}

export interface LoadLevel {
  concurrency: number;
  warmup: number;
  count: number;
}

const LOAD_CPUS = '0';
const hasTaskset = existsSync('/usr/bin/taskset');

/** A bench/text.*.ts script in its own Node process, pinned to LOAD_CPUS when taskset exists; its last JSON line. */
export async function loadProcess<T>(script: string, args: string[]): Promise<T> {
  const node = [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'bench', script), ...args];
  const [cmd, ...rest] = hasTaskset ? ['/usr/bin/taskset', '-c', LOAD_CPUS, ...node] : node;
  const { stdout } = await promisify(execFile)(cmd!, rest, { cwd: REPO_ROOT, maxBuffer: 64 << 20, timeout: 20 * 60_000, env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as T;
}

/** CPU ms (user + system) of each thread of a process, by thread id (Linux /proc; empty elsewhere). */
export function threadCpuMs(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (pid === undefined || !existsSync(`/proc/${pid}/task`)) return out;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, ((Number(f[11]) + Number(f[12])) * 1000) / 100); // utime + stime, in clock ticks of 1/100 s
    } catch {
      /* the thread ended */
    }
  }
  return out;
}

/** CPU per request (µs) between two threadCpuMs snapshots of `pid`. */
export function cpuPerRequest(pid: number, before: Map<string, number>, after: Map<string, number>, requests: number): ServerCpu | undefined {
  if (after.size === 0) return undefined;
  const used = [...after].map(([tid, ms]) => [tid, ((ms - (before.get(tid) ?? 0)) * 1000) / requests] as const);
  const others = used.filter(([tid]) => tid !== String(pid)).map(([, us]) => us).sort((a, b) => b - a);
  return { eventLoop: used.find(([tid]) => tid === String(pid))?.[1] ?? 0, busiestOther: others[0] ?? 0, rest: others.slice(1).reduce((a, b) => a + b, 0) };
}

/** One load level against the server: the warm-up as a run of its own, then the measured requests with the server's CPU around them. */
export async function measureLevel(port: number, pid: number, textsFile: string, l: LoadLevel): Promise<LoadResult> {
  const loadAvg = loadavg()[0];
  if (l.warmup > 0) await loadProcess<LoadResult>('text.load.ts', [String(port), 'toxic', textsFile, String(l.concurrency), '0', String(l.warmup)]);
  const before = threadCpuMs(pid);
  const r = await loadProcess<LoadResult>('text.load.ts', [String(port), 'toxic', textsFile, String(l.concurrency), '0', String(l.count)]);
  return { ...r, warmup: l.warmup, loadAvg, serverCpuUs: cpuPerRequest(pid, before, threadCpuMs(pid), r.count) };
}

function rssMb(pid: number | undefined): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export interface ServerConfig {
  label: string;
  threads: number | null;
  /** Also run the bursts against this server. */
  burst?: boolean;
}

export async function measureEndpoint(opts: { dir: string; trainFile: string; testFile: string; texts: string[]; levels: LoadLevel[]; servers: ServerConfig[]; burstCount: number }): Promise<EndpointResult> {
  const dataDir = join(opts.dir, 'server-data');
  const start = (c: ServerConfig) => startBenchServer('text.server.ts', dataDir, c.threads === null ? {} : { SB_SCORING_THREADS: String(c.threads) });
  let server = await start(opts.servers[0]!);
  try {
    const base = () => `http://127.0.0.1:${server.port}`;
    const t0 = performance.now();
    const job = await deployBenchModel(base(), opts.trainFile, opts.testFile);
    const setupSeconds = (performance.now() - t0) / 1000;
    const texts = opts.texts.filter((t) => t.trim() !== '' && Buffer.byteLength(t, 'utf8') <= 10 * 1024);
    const sample = await api(base(), 'POST', '/api/v1/endpoints/toxic/classify', { Text: texts[0] });
    const textsFile = join(opts.dir, 'endpoint-texts.json');
    writeFileSync(textsFile, JSON.stringify(texts));
    const runs: ServerRun[] = [];
    let burst: EndpointResult['burst'];
    for (let i = 0; i < opts.servers.length; i++) {
      const c = opts.servers[i]!;
      if (i > 0) {
        await server.stop();
        server = await start(c);
        await api(base(), 'POST', '/api/v1/endpoints/toxic/classify', { Text: texts[0] }); // loads the model
      }
      const loads: LoadResult[] = [];
      for (const l of opts.levels) loads.push(await measureLevel(server.port, server.child.pid!, textsFile, l));
      if (c.burst) {
        const rss = [rssMb(server.child.pid)], results: BurstResult[] = [];
        for (let b = 0; b < 2; b++) {
          results.push(await loadProcess<BurstResult>('text.burst.ts', [String(server.port), 'toxic', textsFile, String(opts.burstCount)]));
          await new Promise((r) => setTimeout(r, 1000));
          rss.push(rssMb(server.child.pid));
        }
        burst = { rssMb: rss, results };
      }
      runs.push({ label: c.label, threads: c.threads, loads, peakRssMb: (await server.stop()).peakRssMb ?? null });
    }
    return { runs, burst, serverCores: availableParallelism(), loadCpus: hasTaskset ? LOAD_CPUS : 'any', trainSeconds: job.result?.train_seconds ?? NaN, setupSeconds, serverPeakRssMb: runs[0]?.peakRssMb ?? null, sample };
  } finally {
    if (server.child.exitCode === null) await server.stop();
  }
}
