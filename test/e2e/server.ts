/**
 * The real Sagebrush server, in-process on a random port, with a throw-away data directory. It serves web/dist, or
 * another web build named by SAGEBRUSH_E2E_WEB_DIST (e.g. a build of an older commit, to show a test fails there).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createAppContext, type AppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/core/config.ts';
import { buildApp } from '../../src/http/app.ts';

export interface TestServer {
  tmpDir: string;
  ctx: AppContext;
  app: FastifyInstance;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startServer(prefix = 'sagebrush-ui-'): Promise<TestServer> {
  const tmpDir = mkdtempSync(join(tmpdir(), prefix));
  const ctx = await createAppContext(loadConfig({ overrides: { dataDir: tmpDir, port: 0, logLevel: 'warn' }, env: {} }));
  const webDist = process.env.SAGEBRUSH_E2E_WEB_DIST || undefined;
  const app = await buildApp(ctx, webDist ? { webDist } : {});
  await ctx.queue.startWorker();
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    tmpDir,
    ctx,
    app,
    baseUrl,
    async close() {
      await app.close().catch(() => undefined);
      await ctx.close().catch(() => undefined);
      rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}
