/**
 * Helpers of the console browser tests (issue 19: model kinds, decision rule, jobs, training checks): the real
 * server in-process, optionally serving another web build (SAGEBRUSH_E2E_WEB_DIST, e.g. a build of an older commit
 * to show a test fails there), and API shortcuts to set up data quickly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/core/config.ts';
import { buildApp } from '../../src/http/app.ts';
import type { TestServer } from './server.ts';

export async function startStudio(prefix: string): Promise<TestServer> {
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

export async function json<T>(res: Response): Promise<T> {
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
  return body;
}

export function apiClient(server: TestServer) {
  const url = (path: string) => `${server.baseUrl}/api/v1${path}`;
  const send = <T>(method: string, path: string, body?: unknown) =>
    fetch(url(path), { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => json<T>(r));
  return {
    get: <T>(path: string) => send<T>('GET', path),
    post: <T>(path: string, body?: unknown) => send<T>('POST', path, body),
    put: <T>(path: string, body?: unknown) => send<T>('PUT', path, body),
    /** A CSV dataset (Comprehend style: no header), imported before it returns. */
    async uploadCsv(name: string, csv: string): Promise<void> {
      const form = new FormData();
      form.append('name', name);
      form.append('header', 'false');
      form.append('file', new Blob([csv], { type: 'text/csv' }), `${name}.csv`);
      await json(await fetch(url('/datasets?wait=true'), { method: 'POST', body: form }));
    },
    /** Waits for a job to end; throws unless it ends `want`. */
    async waitJob(id: string, want = 'succeeded', timeoutMs = 60_000): Promise<{ id: string; status: string; result: unknown }> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await send<{ id: string; status: string; result: unknown; error: unknown }>('GET', `/jobs/${id}`);
        if (['succeeded', 'failed', 'cancelled'].includes(job.status)) {
          if (job.status !== want) throw new Error(`job ${id} ${job.status}: ${JSON.stringify(job.error)}`);
          return job;
        }
        if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    /** Trains a text classifier through the API and waits for it. */
    async trainText(body: Record<string, unknown>): Promise<string> {
      const { job } = await send<{ job: { id: string } }>('POST', '/text/classifiers', body);
      await this.waitJob(job.id);
      return job.id;
    },
  };
}

const WORDS: Record<string, string[]> = {
  sports: ['football', 'goal', 'team', 'match', 'league', 'coach', 'stadium', 'referee'],
  cooking: ['recipe', 'oven', 'garlic', 'flour', 'bake', 'sauce', 'kitchen', 'butter'],
  tech: ['laptop', 'software', 'server', 'keyboard', 'code', 'network', 'router', 'browser'],
};
export const TOPICS = Object.keys(WORDS);

/** `perClass` distinct multi-class rows per topic (`label,text`, no header), interleaved. */
export function topicsCsv(perClass: number): string {
  const rows: string[] = [];
  for (let i = 0; i < perClass; i++) {
    for (const [label, w] of Object.entries(WORDS)) rows.push(`${label},We talked about the ${w[i % 8]} and the ${w[(i * 3 + 1) % 8]} then the ${w[(i * 5 + 2) % 8]} (note ${i})`);
  }
  return `${rows.join('\n')}\n`;
}

/** 150 rows of multi-label CSV (`a|b,text`), deterministic. */
export function multiLabelTopicsCsv(): string {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rows: string[] = [];
  for (let i = 0; i < 150; i++) {
    let ls = TOPICS.filter(() => rand() < 0.45);
    if (ls.length === 0) ls = [TOPICS[i % 3]!];
    const words = ls.flatMap((l) => [WORDS[l]![Math.floor(rand() * 8)]!, WORDS[l]![Math.floor(rand() * 8)]!]);
    rows.push(`"${ls.join('|')}",${words.join(' ')} today (n${i})`);
  }
  return `${rows.join('\n')}\n`;
}
