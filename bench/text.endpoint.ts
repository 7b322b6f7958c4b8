/**
 * Endpoint benchmark driver: starts the real server in a child process (bench/text.server.ts), trains and deploys a
 * model through the HTTP API exactly as a user would (upload both CSVs with `POST /api/v1/datasets?wait=true`,
 * `POST /api/v1/text/classifiers`, poll the job, `POST /api/v1/endpoints`), then runs bench/text.load.ts in a
 * second child process against it. Everything talks to 127.0.0.1 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { nodeJson, REPO_ROOT } from './text.peers.ts';

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
}

export interface EndpointResult {
  /** One result per load level, in the order asked. */
  loads: LoadResult[];
  /** The train job's own timing and the whole API round (uploads + job + deploy). */
  trainSeconds: number;
  setupSeconds: number;
  serverPeakRssMb: number | null;
  sample: unknown;
}

interface Server {
  port: number;
  child: ChildProcess;
  /** Resolves with the server's last JSON line (its peak RSS) after it exits. */
  stop(): Promise<{ peakRssMb?: number }>;
}

async function startServer(dataDir: string): Promise<Server> {
  // e.g. SB_BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the server under load
  const extra = process.env.SB_BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', join(REPO_ROOT, 'bench', 'text.server.ts'), dataDir], {
    cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const lines: string[] = [];
  const rl = createInterface({ input: child.stdout! });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bench server did not start within 60 s')), 60_000);
    rl.on('line', (line) => {
      lines.push(line);
      try {
        const msg = JSON.parse(line) as { port?: number };
        if (typeof msg.port === 'number') {
          clearTimeout(timer);
          resolve(msg.port);
        }
      } catch {
        /* not ours */
      }
    });
    child.once('exit', (code) => reject(new Error(`the bench server exited (code ${code}) before listening`)));
  });
  return {
    port,
    child,
    async stop() {
      child.stdin!.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
      try {
        return JSON.parse(lines[lines.length - 1] ?? '{}') as { peakRssMb?: number };
      } catch {
        return {};
      }
    },
  };
}

async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
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

interface JobView {
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

export interface LoadLevel {
  concurrency: number;
  warmup: number;
  count: number;
}

export async function measureEndpoint(opts: { dir: string; trainFile: string; testFile: string; texts: string[]; levels: LoadLevel[] }): Promise<EndpointResult> {
  const server = await startServer(join(opts.dir, 'server-data'));
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const t0 = performance.now();
    await uploadCsv(base, opts.trainFile, 'bench-train');
    await uploadCsv(base, opts.testFile, 'bench-test');
    const accepted = await api<{ job: { id: string } }>(base, 'POST', '/api/v1/text/classifiers', { name: 'bench-toxic', dataset: 'bench-train', testDataset: 'bench-test', mode: 'multi-label' });
    const job = await waitJob(base, accepted.job.id);
    if (job.status !== 'succeeded') throw new Error(`train job ${job.status}: ${JSON.stringify(job.error)}`);
    await api(base, 'POST', '/api/v1/endpoints', { name: 'toxic', model: 'bench-toxic:1' });
    const setupSeconds = (performance.now() - t0) / 1000;
    const texts = opts.texts.filter((t) => t.trim() !== '' && Buffer.byteLength(t, 'utf8') <= 10 * 1024);
    const sample = await api(base, 'POST', '/api/v1/endpoints/toxic/classify', { Text: texts[0] });
    const textsFile = join(opts.dir, 'endpoint-texts.json');
    writeFileSync(textsFile, JSON.stringify(texts));
    const loads: LoadResult[] = [];
    for (const l of opts.levels) {
      loads.push(await nodeJson<LoadResult>('text.load.ts', [String(server.port), 'toxic', textsFile, String(l.concurrency), String(l.warmup), String(l.count)]));
    }
    const stopped = await server.stop();
    return { loads, trainSeconds: job.result?.train_seconds ?? NaN, setupSeconds, serverPeakRssMb: stopped.peakRssMb ?? null, sample };
  } finally {
    if (server.child.exitCode === null) await server.stop();
  }
}
