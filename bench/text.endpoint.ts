/**
 * Endpoint benchmark driver: starts the real server in a child process (bench/text.server.ts), trains and deploys a
 * model through the HTTP API exactly as a user would (upload both CSVs with `POST /api/v1/datasets?wait=true`,
 * `POST /api/v1/text/classifiers`, poll the job, `POST /api/v1/endpoints`), then runs bench/text.load.ts in a
 * second child process against it. Everything talks to 127.0.0.1 only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { startBenchServer } from './serverProcess.ts';
import { nodeJson } from './text.peers.ts';

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
  const server = await startBenchServer('text.server.ts', join(opts.dir, 'server-data'));
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
