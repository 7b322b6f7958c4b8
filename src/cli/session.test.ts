/**
 * Issue 17: an embedded command opens only what it calls. The text scope (`sagebrush text train|evaluate|predict`,
 * `datasets import|list|show|preview`) builds datasets, the model lifecycle and text classification — not the other
 * domains, the OpenAPI document, the web UI or ajv — and its worker runs only those domains' job types. Jobs are
 * followed by the in-process queue's events: the command goes on as the job ends, without polling.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import type { Job } from '../jobs/types.ts';
import { multiClassCsv } from '../domains/text/testing/synthetic.ts';
import { importDataset } from './datasets.ts';
import { runJob } from './requests.ts';
import { openTransport } from './session.ts';
import type { Transport } from './transport.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'sb-session-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Domains the text scope may load: its own, and what they import (webhooks' SSRF guard lives in fhir/ssrf.ts). */
const TEXT_SCOPE_DOMAINS = ['classifiers', 'datasets', 'endpoints', 'fhir', 'models', 'text', 'webhooks'];

it('the text scope loads only its domains (no OpenAPI, web UI, yaml or ajv) and registers only their job types', async () => {
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(hooks, [
    'let port;',
    'export function initialize(data) { port = data.port; }',
    'export async function resolve(s, c, next) { const r = await next(s, c); port.postMessage(r.url); return r; }',
  ].join('\n'));
  const script = join(dir, 'main.mjs');
  writeFileSync(script, `
import { register, createRequire } from 'node:module';
const seen = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => seen.add(url));
port1.unref();
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { port: port2 }, transferList: [port2] });
const { openTransport } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src/cli/session.ts')).href)});
const t = await openTransport({ dataDir: ${JSON.stringify(join(dir, 'data'))} }, 'text');
const types = (await t.request('GET', '/api/v1/jobs/types')).json().items.map((d) => d.type);
const openapi = (await t.request('GET', '/api/openapi.json')).status;
await t.close();
await new Promise((r) => setTimeout(r, 100)); // the hook thread's last messages
const urls = [...seen, ...Object.keys(createRequire(import.meta.url).cache)];
const domains = [...new Set(urls.map((u) => /src\\/domains\\/([^/]+)\\//.exec(u)?.[1]).filter(Boolean))].sort();
const packages = [...new Set(urls.map((u) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(u)?.[1]).filter(Boolean))].sort();
process.stdout.write(JSON.stringify({ types, openapi, domains, packages }));
`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SAGEBRUSH_') && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...env, NODE_NO_WARNINGS: '1' }, maxBuffer: 16 << 20 });
  const out = JSON.parse(stdout) as { types: string[]; openapi: number; domains: string[]; packages: string[] };
  expect(out.domains).toContain('text');
  expect(out.domains.filter((d) => !TEXT_SCOPE_DOMAINS.includes(d))).toEqual([]);
  expect(out.packages).toContain('fastify'); // the hooks saw the app load
  expect(out.packages.filter((p) => ['@fastify/swagger', '@fastify/static', 'yaml', 'ajv'].includes(p))).toEqual([]);
  expect(out.openapi).toBe(404);
  expect(out.types.length).toBeGreaterThan(1);
  expect(out.types.filter((type) => !/^(datasets|text)\./.test(type))).toEqual([]);
}, 120_000);

it('follows a job to its end by the queue events: one GET of the job before and one after, however long it runs', async () => {
  const t = await openTransport({ dataDir: join(dir, 'follow') }, 'text');
  let jobGets = 0;
  const counted: Transport = {
    ...t,
    request: (method, path, body) => {
      if (method === 'GET' && /^\/api\/v1\/jobs\/[^/]+$/.test(path)) jobGets++;
      return t.request(method, path, body);
    },
  };
  try {
    const file = join(dir, 'tickets.csv');
    writeFileSync(file, multiClassCsv(3000));
    await importDataset(counted, file, { header: 'false' }, true);
    jobGets = 0;
    const job: Job = await runJob(counted, '/api/v1/text/classifiers', { name: 'tickets', dataset: 'tickets', mode: 'multi-class' }, true, 'train');
    expect(job.status).toBe('succeeded');
    // Long enough that polling (after 20, 50, 95, 163 ms, … growing to every 250 ms) would have asked 4 times or more.
    expect(Date.parse(job.finishedAt!) - Date.parse(job.startedAt!)).toBeGreaterThan(200);
    expect(jobGets).toBeLessThanOrEqual(2);
    expect((job.result as { model: { name: string } }).model.name).toBe('tickets');
  } finally {
    await t.close();
  }
}, 120_000);
