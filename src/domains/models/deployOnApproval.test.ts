/**
 * Through the real app with a trained text classifier (issue 14): with deployOnApproval set, approving a version
 * creates the endpoint, approving a later one re-points it; the approval is reported to a webhook registered over
 * the API (the serving process's delivery loop sends it); with the API open, who is "anonymous".
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, upload, type TestApp } from '../datasets/testing/harness.ts';
import { multiClassCsv } from '../text/testing/synthetic.ts';

let t: TestApp;
let server: Server;
let origin: string;
const bodies: Array<{ event: string; data: Record<string, unknown> }> = [];

async function train(): Promise<void> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/text/classifiers', payload: { name: 'tickets', dataset: 'tickets', mode: 'multi-class' } });
  expect(res.statusCode, res.body).toBe(202);
  const job = await t.ctx.queue.wait(res.json<{ job: { id: string } }>().job.id, { timeoutMs: 60_000 });
  expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      bodies.push(JSON.parse(body) as { event: string; data: Record<string, unknown> });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await createTestApp({ webhookAllow: [origin] });
  expect((await upload(t.app, 'tickets.csv', multiClassCsv(60), { header: 'false' })).statusCode).toBe(201);
}, 120_000);
afterAll(async () => {
  await t?.close();
  server?.closeAllConnections();
  server?.close();
});

describe('deployOnApproval', () => {
  it('creates the endpoint on approval, re-points it on the next approval, and tells the webhook', async () => {
    const refused = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks', payload: { url: 'http://10.0.0.8/hook', events: ['*'] } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED', problems: [{ field: 'url' }] });
    const hook = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks', payload: { url: `${origin}/hook`, events: ['model_version.approval_changed'] } });
    expect(hook.statusCode, hook.body).toBe(201);
    expect((await t.app.inject({ url: '/api/v1/webhooks' })).json().items[0].secret).toBeUndefined();

    await train();
    const badEndpoint = await t.app.inject({ method: 'PUT', url: '/api/v1/models/tickets/settings', payload: { deployOnApproval: { endpoint: 'no spaces' } } });
    expect(badEndpoint.json()).toMatchObject({ code: 'MODEL_DEPLOY_CONFIG_INVALID', problems: [{ field: 'deployOnApproval.endpoint' }] });
    const settings = await t.app.inject({ method: 'PUT', url: '/api/v1/models/tickets/settings', payload: { deployOnApproval: { endpoint: 'tickets-live' } } });
    expect(settings.json()).toEqual({ deployOnApproval: { endpoint: 'tickets-live' } });
    expect((await t.app.inject({ url: '/api/v1/endpoints/tickets-live' })).statusCode).toBe(404);

    const first = await t.app.inject({ method: 'PUT', url: '/api/v1/models/tickets/versions/1/approval', payload: { status: 'Approved', reason: 'passes the holdout' } });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ status: 'Approved', updatedBy: 'anonymous', deployment: { endpoint: 'tickets-live', action: 'created' } });
    const ep1 = await t.app.inject({ url: '/api/v1/endpoints/tickets-live' });
    expect(ep1.statusCode, ep1.body).toBe(200);
    expect(JSON.stringify(ep1.json())).toContain(first.json().model.id);

    await train();
    const second = await t.app.inject({ method: 'PUT', url: '/api/v1/models/tickets/versions/2/approval', payload: { status: 'Approved' } });
    expect(second.json()).toMatchObject({ deployment: { endpoint: 'tickets-live', action: 'updated' } });
    const ep2 = await t.app.inject({ url: '/api/v1/endpoints/tickets-live' });
    expect(JSON.stringify(ep2.json())).toContain(second.json().model.id);
    const scored = await t.app.inject({ method: 'POST', url: '/api/v1/endpoints/tickets-live/classify', payload: { Text: 'my card was charged twice' } });
    expect(scored.statusCode, scored.body).toBe(200);

    // The serving process's loop delivers both approvals (off the request path).
    const end = Date.now() + 10_000;
    while (bodies.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(bodies.map((b) => [b.event, (b.data.model as { version: number }).version, b.data.by])).toEqual([
      ['model_version.approval_changed', 1, 'anonymous'],
      ['model_version.approval_changed', 2, 'anonymous'],
    ]);
    const log = await t.app.inject({ url: `/api/v1/webhooks/${hook.json().id}/deliveries` });
    expect(log.json().items.map((d: { status: string; responseCode: number }) => [d.status, d.responseCode])).toEqual([['succeeded', 204], ['succeeded', 204]]);
  }, 180_000);
});
