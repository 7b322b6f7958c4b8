/**
 * GET /api/v1/endpoints/{name}/metrics through the real app: a tiny text classifier behind a real endpoint, real
 * calls on every invocation route (classify; predict-image, invocations, infill and OpenAI chat answer 409 on a text
 * endpoint, and still count), checked against the latencies the hook recorded, by hand.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestApp } from '../datasets/testing/harness.ts';
import { BUCKET_RATIO } from './metrics.ts';
import { appWithTextEndpoint } from './testing.ts';

let t: TestApp;
const recorded: Array<{ name: string; ms: number; status: number }> = [];

beforeAll(async () => {
  t = await appWithTextEndpoint('tickets-ep');
  const metrics = t.ctx.services.endpoints.metrics;
  const original = metrics.record.bind(metrics);
  vi.spyOn(metrics, 'record').mockImplementation((name, ms, status) => {
    recorded.push({ name, ms, status });
    original(name, ms, status);
  });
}, 90_000);
afterAll(async () => t?.close());

function nearestRank(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil(p * s.length)) - 1]!;
}

const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, payload: payload as object });

describe('endpoint metrics', () => {
  it('counts every invocation route, its errors and its latency percentiles', async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/api/v1/endpoints/tickets-ep/metrics' })).json();
    expect(before.summary).toMatchObject({ requests: 0, errors: 0, p50Ms: null });

    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) statuses.push((await post('/api/v1/endpoints/tickets-ep/classify', { Text: `my invoice was charged twice, refund please ${i}` })).statusCode);
    statuses.push((await post('/api/v1/endpoints/tickets-ep/classify', { TextList: ['parcel tracking', 'login reset'] })).statusCode);
    statuses.push((await post('/api/v1/endpoints/tickets-ep/classify', { Text: '   ' })).statusCode); // 400: empty text
    statuses.push((await post('/api/v1/endpoints/tickets-ep/classify', { Nope: 1 })).statusCode); // 400: schema
    statuses.push((await post('/api/v1/endpoints/tickets-ep/predict-image', { image: 'aGVsbG8=' })).statusCode); // 409
    statuses.push((await post('/api/v1/endpoints/tickets-ep/invocations', { inputs: 'hello' })).statusCode); // 409
    statuses.push((await post('/api/v1/endpoints/tickets-ep/infill', { prefix: 'a', suffix: 'b' })).statusCode); // 409
    statuses.push((await post('/v1/chat/completions', { model: 'tickets-ep', messages: [{ role: 'user', content: 'hi' }] })).statusCode); // 409
    statuses.push((await post('/v1/completions', { model: 'tickets-ep', prompt: 'hi' })).statusCode); // 409
    expect(statuses.slice(0, 25).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(25)).toEqual([400, 400, 409, 409, 409, 409, 409]);

    // Unknown names are not recorded (no entry per name a client makes up).
    expect((await post('/api/v1/endpoints/made-up/classify', { Text: 'x' })).statusCode).toBe(404);
    expect(t.ctx.services.endpoints.metrics.has('made-up')).toBe(false);

    const mine = recorded.filter((r) => r.name === 'tickets-ep');
    expect(mine.map((r) => r.status)).toEqual(statuses);
    const ms = mine.map((r) => r.ms);

    const res = await t.app.inject({ method: 'GET', url: '/api/v1/endpoints/tickets-ep/metrics?window=1h' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ endpoint: 'tickets-ep', window: '1h', windowSeconds: 3600, stepSeconds: 60 });
    expect(body.series).toHaveLength(60);
    const s = body.summary;
    expect(s).toMatchObject({ requests: 32, errors: 7, clientErrors: 7, serverErrors: 0 });
    expect(s.errorRate).toBeCloseTo(7 / 32, 10);
    const max = Math.max(...ms);
    expect(s.maxMs).toBeCloseTo(max, 2);
    expect(s.meanMs).toBeCloseTo(ms.reduce((a, b) => a + b, 0) / ms.length, 2);
    for (const [key, p] of [['p50Ms', 0.5], ['p95Ms', 0.95], ['p99Ms', 0.99]] as const) {
      const exact = nearestRank(ms, p);
      expect(s[key], key).toBeGreaterThanOrEqual(exact - 5e-4);
      expect(s[key], key).toBeLessThanOrEqual(Math.min(exact * BUCKET_RATIO, max) + 5e-4);
    }
    // The series adds up to the summary.
    const sum = (k: string) => body.series.reduce((a: number, p: Record<string, number>) => a + p[k]!, 0);
    expect(sum('requests')).toBe(32);
    expect(sum('errors')).toBe(7);
    expect(body.lifetime).toEqual({ requests: 32, errors: 7 });
  });

  it('answers 404 ENDPOINT_NOT_FOUND for an unknown endpoint and 400 for an unknown window', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/endpoints/no-such-ep/metrics' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'ENDPOINT_NOT_FOUND' });
    expect(t.ctx.services.endpoints.metrics.has('no-such-ep')).toBe(false);
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/endpoints/tickets-ep/metrics?window=2d' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('is in the OpenAPI document, and starts over when the endpoint is deleted and created again', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/v1/endpoints/{name}/metrics'].get.parameters.map((p: { name: string }) => p.name)).toContain('window');
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/endpoints/tickets-ep' })).statusCode).toBe(204);
    expect(t.ctx.services.endpoints.metrics.has('tickets-ep')).toBe(false);
    expect((await post('/api/v1/endpoints', { name: 'tickets-ep', model: 'tickets:1' })).statusCode).toBe(201);
    const again = (await t.app.inject({ method: 'GET', url: '/api/v1/endpoints/tickets-ep/metrics?window=5m' })).json();
    expect(again.summary.requests).toBe(0);
    expect(again.series).toHaveLength(5);
  });
});
