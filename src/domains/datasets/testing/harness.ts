/**
 * Test harness for the datasets domain: the real app in-process on a temp data dir, multipart bodies
 * serialised by Node's own FormData, and a snapshot of everything stored (rows, artifact keys and the
 * files on disk, temp files included) to prove that a rejected upload changed nothing.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createAppContext, type AppContext } from '../../../app/context.ts';
import { loadConfig, type ConfigInput } from '../../../core/config.ts';
import { buildApp } from '../../../http/app.ts';

export const SHARED_DATA = join(import.meta.dirname, '../../../../../shared/data');
export const HAS_SHARED_DATA = existsSync(SHARED_DATA);
export const NO_DATA_MESSAGE = `shared data not found at ${SHARED_DATA}: skipping tests that need real data`;

export interface TestApp {
  ctx: AppContext;
  app: FastifyInstance;
  dir: string;
  close(): Promise<void>;
}

export async function createTestApp(overrides: ConfigInput = {}, options: { worker?: boolean } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-datasets-'));
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: 'silent', ...overrides } });
  const ctx = await createAppContext(config);
  if (options.worker !== false) await ctx.queue.startWorker();
  const app = await buildApp(ctx, { webDist: join(dir, 'no-web-ui') });
  await app.ready();
  return {
    ctx,
    app,
    dir,
    async close() {
      await app.close();
      await ctx.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type FormPart = { name: string; value: string } | { name: string; fileName: string; content: Buffer | string; type?: string };

/** A multipart/form-data body, serialised by the platform's FormData (parts in the given order). */
export async function multipart(parts: FormPart[]): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const p of parts) {
    if ('value' in p) form.append(p.name, p.value);
    else form.append(p.name, new Blob([typeof p.content === 'string' ? p.content : new Uint8Array(p.content)], { type: p.type ?? 'application/octet-stream' }), p.fileName);
  }
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type') as string } };
}

/** POST /api/v1/datasets with a file (and optional fields before it). */
export async function upload(app: FastifyInstance, fileName: string, content: Buffer | string, fields: Record<string, string> = {}, query = '?wait=true'): Promise<LightMyRequestResponse> {
  const body = await multipart([...Object.entries(fields).map(([name, value]) => ({ name, value })), { name: 'file', fileName, content }]);
  return app.inject({ method: 'POST', url: `/api/v1/datasets${query}`, ...body });
}

function walk(dir: string, root: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) walk(full, root, out);
    else out.push(relative(root, full));
  }
}

/** Everything the datasets domain stores: dataset and version rows, artifact keys, and every file on disk. */
export async function snapshot(t: TestApp): Promise<unknown> {
  const datasets = await t.ctx.db.selectFrom('datasets').selectAll().orderBy('id').execute();
  const versions = await t.ctx.db.selectFrom('dataset_versions').selectAll().orderBy('id').execute();
  const artifacts = (await t.ctx.artifacts.list('')).map((a) => `${a.key}:${a.size}`);
  const files: string[] = [];
  walk(join(t.dir, 'artifacts'), t.dir, files);
  return { datasets, versions, artifacts, files: files.sort() };
}

export function problem(res: LightMyRequestResponse): { code: string; status: number; detail: string; problems?: Array<{ row?: number; field?: string; problem: string; fix: string }> } {
  return res.json();
}
