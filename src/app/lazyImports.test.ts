/**
 * Issue 17: the embedded CLI (cli/session.ts) imports the app, creates an AppContext from the default config and
 * builds the routes for every command. None of that may load the large native libraries that only some domains use
 * (LLM, images, ONNX) or the drivers of the non-default backends (S3, Redis, PostgreSQL): they load on first use.
 * Runs in a child process so the module cache is clean; a resolve hook reports every npm package it imports.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const HEAVY = ['node-llama-cpp', 'sharp', 'onnxruntime-node', 'onnx-proto', '@aws-sdk/client-s3', 'bullmq', 'ioredis', 'pg'];

const dir = mkdtempSync(join(tmpdir(), 'sb-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('importing the app, creating an embedded AppContext and building its routes loads none of the heavy libraries', async () => {
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(hooks, [
    'let port;',
    'export function initialize(data) { port = data.port; }',
    'export async function resolve(s, c, next) {',
    '  const r = await next(s, c);',
    "  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url);",
    '  if (m) port.postMessage(m[1]);',
    '  return r;',
    '}',
  ].join('\n'));
  const script = join(dir, 'main.mjs');
  const src = (p: string) => JSON.stringify(pathToFileURL(join(ROOT, 'src', p)).href);
  writeFileSync(script, `
import { register } from 'node:module';
const seen = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (name) => seen.add(name));
port1.unref();
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { port: port2 }, transferList: [port2] });
const { createAppContext } = await import(${src('app/context.ts')});
const { loadConfig } = await import(${src('core/config.ts')});
const { createLogger } = await import(${src('core/logger.ts')});
const { buildApp } = await import(${src('http/app.ts')});
const config = loadConfig({ env: {}, overrides: { dataDir: ${JSON.stringify(join(dir, 'data'))}, logLevel: 'warn', apiTokens: [] } });
const ctx = await createAppContext(config, { logger: createLogger('warn') });
const app = await buildApp(ctx);
await app.ready();
await new Promise((r) => setTimeout(r, 100)); // the hook thread's last messages
await app.close();
await ctx.close();
process.stdout.write(JSON.stringify({ queue: config.queueUrl, db: config.databaseUrl, artifacts: config.artifactsUrl, packages: [...seen].sort() }));
`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SAGEBRUSH_') && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...env, NODE_NO_WARNINGS: '1' }, maxBuffer: 16 << 20 });
  const out = JSON.parse(stdout) as { queue: string; db: string; artifacts: string; packages: string[] };
  expect(out.queue).toBe('embedded');
  expect(out.db).toMatch(/^sqlite:/);
  expect(out.artifacts).toMatch(/^file:/);
  expect(out.packages).toContain('fastify'); // the hook saw the app load
  expect(out.packages.filter((p) => HEAVY.includes(p))).toEqual([]);
}, 120_000);
