/**
 * Webhooks end to end on 127.0.0.1 (issue 14): registry events reach a real HTTP receiver as signed POSTs (the
 * signature checked here with node:crypto), a 500 is retried, a receiver that never answers fails the delivery with
 * WEBHOOK_URL_TIMEOUT after the bounded attempts, and URLs that would reach this machine's network are refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../storage/db.ts';
import { FsArtifactStore } from '../../storage/artifacts/fs.ts';
import type { Database } from '../../storage/schema.ts';
import { createModelRegistry, createModelService, REGISTRY_EVENTS, type ModelRegistry, type ModelService } from '../models/index.ts';
import { createWebhookService, type Delivery, type WebhookService } from './index.ts';

interface Received { path: string; headers: IncomingHttpHeaders; body: string }
const received: Received[] = [];
let flakyCalls = 0;
let server: Server;
let origin: string;
let dir: string;
let db: Kysely<Database>;
let models: ModelService;
let registry: ModelRegistry;
let webhooks: WebhookService;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(rec);
      if (req.url === '/slow') return; // never answers
      if (req.url === '/flaky' && ++flakyCalls === 1) return void res.writeHead(500).end('busy');
      if (req.url === '/gone') return void res.writeHead(410).end();
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'sb-webhooks-'));
  db = await openDatabase(`sqlite:${join(dir, 'db.sqlite')}`);
  models = createModelService({ db, artifacts: new FsArtifactStore(join(dir, 'artifacts')) });
  webhooks = createWebhookService({ db, events: REGISTRY_EVENTS, policy: { allowOrigins: [origin] }, options: { timeoutMs: 300, maxAttempts: 3, backoffMs: 50, pollMs: 100 } });
  registry = createModelRegistry({ db, models, events: webhooks });
  webhooks.start();
});
afterAll(async () => {
  await webhooks?.stop();
  server?.closeAllConnections();
  server?.close();
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function settled(webhookId: string, count: number, timeoutMs = 10_000): Promise<Delivery[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const items = (await webhooks.deliveries({ webhookId })).items;
    if (items.length >= count && items.every((d) => d.status === 'succeeded' || d.status === 'failed')) return items;
    if (Date.now() > end) throw new Error(`deliveries not settled: ${JSON.stringify(items)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function verify(secret: string, r: Received): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`);
  const given = Buffer.from(String(r.headers['x-sagebrush-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('delivery', () => {
  it('POSTs each registry event with an HMAC signature of the body, a timestamp and the event name', async () => {
    const hook = await webhooks.register({ url: `${origin}/ok`, events: ['*'] }, 'alice');
    expect(hook.secret.length).toBeGreaterThanOrEqual(16);
    const m = await models.create({ name: 'churn', kind: 'text-classifier', params: {} });
    await models.markReady(m.id, { metrics: {}, artifacts: {} });
    await registry.setApproval('churn:1', { status: 'Approved', reason: 'good' }, 'alice');
    await registry.setAlias('churn', 'champion', 1, 'alice');
    const log = await settled(hook.id, 3);
    expect(log.map((d) => [d.event, d.status, d.attempts, d.responseCode])).toEqual([
      ['model_alias.changed', 'succeeded', 1, 200],
      ['model_version.approval_changed', 'succeeded', 1, 200],
      ['model_version.created', 'succeeded', 1, 200],
    ]);
    const got = received.filter((r) => r.path === '/ok');
    expect(got).toHaveLength(3);
    for (const r of got) {
      expect(verify(hook.secret, r)).toBe(true);
      expect(verify('another-secret-0123456789', r)).toBe(false);
      expect(Math.abs(Number(r.headers['x-sagebrush-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      expect(r.headers['content-type']).toBe('application/json');
    }
    const approval = JSON.parse(got.find((r) => r.headers['x-sagebrush-event'] === 'model_version.approval_changed')!.body);
    expect(approval).toMatchObject({ event: 'model_version.approval_changed', data: { model: { name: 'churn', version: 1 }, status: 'Approved', previousStatus: 'PendingManualApproval', by: 'alice', reason: 'good' } });
    await webhooks.delete(hook.id);
  });

  it('retries after a 500 and succeeds on the next attempt', async () => {
    const hook = await webhooks.register({ url: `${origin}/flaky`, events: ['model_version.created'] }, 'alice');
    await models.create({ name: 'flaky', kind: 'text-classifier', params: {} });
    const [d] = await settled(hook.id, 1);
    expect(d).toMatchObject({ status: 'succeeded', attempts: 2, responseCode: 200, errorCode: null, lastError: null });
    expect(flakyCalls).toBe(2);
    await webhooks.delete(hook.id);
  });

  it('fails a delivery to a URL that times out with WEBHOOK_URL_TIMEOUT naming url, after the bounded attempts', async () => {
    const hook = await webhooks.register({ url: `${origin}/slow`, events: ['model_version.created'] }, 'alice');
    await models.create({ name: 'slow', kind: 'text-classifier', params: {} });
    const [d] = await settled(hook.id, 1);
    expect(d).toMatchObject({ status: 'failed', attempts: 3, responseCode: null, errorCode: 'WEBHOOK_URL_TIMEOUT', nextAttemptAt: null });
    expect(d!.lastError).toMatch(/^url did not answer within 300 ms\. Gave up after 3 attempts\.$/);
    expect(received.filter((r) => r.path === '/slow')).toHaveLength(3);
    // A 4xx is final: no retry.
    const gone = await webhooks.register({ url: `${origin}/gone`, events: ['model_version.created'] }, 'alice');
    await models.create({ name: 'gone', kind: 'text-classifier', params: {} });
    expect((await settled(gone.id, 1))[0]).toMatchObject({ status: 'failed', attempts: 1, responseCode: 410, errorCode: 'WEBHOOK_DELIVERY_FAILED' });
    await webhooks.delete(hook.id);
    await webhooks.delete(gone.id);
  });

  it('with verify, a URL that times out is refused naming url and nothing is stored', async () => {
    const before = await webhooks.list();
    await expect(webhooks.register({ url: `${origin}/slow`, events: ['*'], verify: true }, 'alice')).rejects.toMatchObject({ code: 'WEBHOOK_URL_TIMEOUT', problems: [{ field: 'url' }] });
    expect(await webhooks.list()).toEqual(before);
  });
});

describe('SSRF rules', () => {
  it('refuses URLs that reach this network unless their origin is allow-listed, naming url', async () => {
    const strict = createWebhookService({ db, events: REGISTRY_EVENTS, policy: { allowOrigins: [], resolve: async () => [{ address: '10.1.2.3', family: 4 }] } });
    const cases = [`${origin}/ok`, 'https://127.0.0.1/x', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/', 'https://[::ffff:10.0.0.1]/', 'https://localhost/', 'ftp://example.org/', 'https://user:pw@example.org/', 'https://internal.example.org/', 'not a url'];
    for (const url of cases) {
      await expect(strict.register({ url, events: ['*'] }, 'alice'), url).rejects.toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED', problems: [{ field: 'url' }] });
    }
    await expect(strict.register({ url: 'https://hooks.example.org/x', events: ['model.deleted'] }, 'alice')).rejects.toMatchObject({ code: 'WEBHOOK_INVALID', problems: [{ field: 'events[0]' }] });
    expect((await strict.list()).filter((h) => !h.url.startsWith(origin))).toEqual([]);
  });
});
