/**
 * Scoring threads and back-pressure through the real app (POST /endpoints/:name/classify): answers from the pool equal
 * the inline answers (SAGEBRUSH_SCORING_THREADS=0), a full scoring queue is a 429 SCORING_QUEUE_FULL with Retry-After
 * and nothing else fails, a request whose client left is not scored, and a model change reaches the threads.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, upload, type TestApp } from '../datasets/testing/harness.ts';
import { multiClassCsv } from './testing/synthetic.ts';

async function appServing(overrides: Record<string, unknown>): Promise<TestApp> {
  const t = await createTestApp(overrides);
  expect((await upload(t.app, 'tickets.csv', multiClassCsv(60), { header: 'false' })).statusCode).toBe(201);
  const train = await t.app.inject({ method: 'POST', url: '/api/v1/text/classifiers', payload: { name: 'tickets', dataset: 'tickets', mode: 'multi-class' } });
  const job = await t.ctx.queue.wait(train.json<{ job: { id: string } }>().job.id, { timeoutMs: 60_000 });
  expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
  const ep = await t.app.inject({ method: 'POST', url: '/api/v1/endpoints', payload: { name: 'ep', model: 'tickets:1' } });
  expect(ep.statusCode, ep.body).toBe(201);
  return t;
}

const DOCS = ['refund my invoice payment', 'where is my parcel delivery', 'reset my password please', 'the courier lost the box', 'I was charged twice'];

let pooled: TestApp, inline: TestApp;
beforeAll(async () => {
  [pooled, inline] = await Promise.all([appServing({ scoringThreads: 1, scoringQueue: 2 }), appServing({ scoringThreads: 0 })]);
}, 120_000);
afterAll(async () => Promise.all([pooled?.close(), inline?.close()]));

const classify = (t: TestApp, payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/endpoints/ep/classify', payload });

describe('text scoring threads behind /classify', () => {
  it('answers from the scoring thread exactly as inline scoring does', async () => {
    expect(pooled.ctx.services.text.scoringThreads).toBe(1);
    expect(inline.ctx.services.text.scoringThreads).toBe(0);
    const a = await classify(pooled, { TextList: DOCS }), b = await classify(inline, { TextList: DOCS });
    expect(a.statusCode, a.body).toBe(200);
    expect(a.json()).toEqual(b.json());
  });

  it('a burst over the queue limit gets 429 SCORING_QUEUE_FULL with Retry-After; every other request is answered correctly', async () => {
    const expected = (await classify(inline, { Text: DOCS[0] })).json();
    const answers = await Promise.all(Array.from({ length: 40 }, () => classify(pooled, { Text: DOCS[0] })));
    const refused = answers.filter((r) => r.statusCode === 429), ok = answers.filter((r) => r.statusCode === 200);
    expect(refused.length + ok.length).toBe(40);
    expect(refused.length).toBeGreaterThan(0);
    expect(ok.length).toBeGreaterThan(0);
    for (const r of ok) expect(r.json()).toEqual(expected);
    const r = refused[0]!;
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.json()).toMatchObject({ code: 'SCORING_QUEUE_FULL', status: 429 });
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // the queue drained: the next request is served
    expect((await classify(pooled, { Text: DOCS[1] })).statusCode).toBe(200);
  });

  it('a request whose client closed the connection while it waited is taken out of the queue, not scored', async () => {
    await pooled.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = pooled.app.server.address() as AddressInfo;
    const model = await pooled.ctx.services.models.resolve('tickets:1');
    // occupy the one thread with a long batch, then send a request and close its socket before it is scored
    const busy = pooled.ctx.services.text.classify(model, Array.from({ length: 2000 }, (_, i) => `${DOCS[i % 5]} ${'word '.repeat(200)}`));
    const queued = () => pooled.ctx.services.text.queuedDocuments(model.id);
    for (let i = 0; i < 200 && queued() > 0; i++) await new Promise((r) => setTimeout(r, 5)); // the busy batch went out
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/endpoints/ep/classify', headers: { 'content-type': 'application/json' } });
    req.on('error', () => {});
    req.end(JSON.stringify({ Text: DOCS[2] }));
    for (let i = 0; i < 200 && queued() === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(queued()).toBe(1); // waiting behind the busy batch
    req.destroy();
    for (let i = 0; i < 200 && queued() === 1; i++) await new Promise((r) => setTimeout(r, 5));
    expect(queued()).toBe(0); // left the queue at once, before the busy batch ended: it will never be scored
    let busyDone = false;
    void busy.then(() => (busyDone = true));
    await Promise.resolve();
    expect(busyDone).toBe(false);
    expect((await busy).length).toBe(2000);
  });
});
