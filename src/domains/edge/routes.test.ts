import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../datasets/testing/harness.ts';
import { registerFixtureDetector } from './testing/detectorFixture.ts';
import { grayImage, resultBatch } from './testing/fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ workerMode: 'inline' }, { worker: false });
}, 120_000);
afterAll(async () => t?.close());

type Method = 'GET' | 'POST' | 'PUT';
const api = (method: Method, url: string, payload?: unknown, token?: string) =>
  t.app.inject({ method, url: `/api/v1/edge${url}`, ...(payload !== undefined ? { payload: payload as object } : {}), headers: token ? { authorization: `Bearer ${token}` } : {} });
const register = async (fleet: string, name: string): Promise<string> => {
  const res = await api('POST', `/fleets/${fleet}/devices`, { name });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().token as string;
};
const models = () => ({ models: t.ctx.services.models, artifacts: t.ctx.artifacts });

describe('/api/v1/edge', () => {
  it('fleets: defaults (threshold 0.7), bad settings named by field, duplicates refused', async () => {
    const res = await api('POST', '/fleets', { name: 'line-1' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'line-1', feedbackThreshold: 0.7, canaryShare: 0.5, feedbackDataset: 'line-1', health: { maxErrorRate: 0.2 } });
    expect((await api('POST', '/fleets', { name: 'line-1' })).json()).toMatchObject({ code: 'ALREADY_EXISTS' });
    const bad = await api('POST', '/fleets', { name: 'x y', feedbackThreshold: 1.5, health: { maxLatencyP95Ms: -1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('EDGE_FLEET_INVALID');
    expect(bad.json().problems.map((p: { field: string }) => p.field)).toEqual(['name', 'feedbackThreshold', 'health.maxLatencyP95Ms']);
    expect((await api('GET', '/fleets/nope')).json()).toMatchObject({ code: 'EDGE_FLEET_NOT_FOUND' });
  });

  it('device tokens: shown once, stored only as a hash; missing/unknown → EDGE_DEVICE_TOKEN_INVALID, revoked → EDGE_DEVICE_REVOKED (401)', async () => {
    await api('POST', '/fleets', { name: 'auth' });
    const token = await register('auth', 'cam-1');
    expect(token).toMatch(/^sbd_[\w-]{40,}$/);
    const row = await t.ctx.db.selectFrom('edge_devices').selectAll().where('name', '=', 'cam-1').executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect((await api('GET', '/device/desired', undefined, token)).json()).toMatchObject({ device: 'cam-1', fleet: 'auth', feedbackThreshold: 0.7, model: null });
    for (const tok of [undefined, 'sbd_not-a-real-token']) {
      const res = await api('POST', '/device/results', { results: [] }, tok);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('EDGE_DEVICE_TOKEN_INVALID');
    }
    expect((await api('POST', '/fleets/auth/devices/cam-1/revoke')).json().revokedAt).toEqual(expect.any(String));
    const revoked = await api('GET', '/device/desired', undefined, token);
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json()).toMatchObject({ code: 'EDGE_DEVICE_REVOKED' });
    // Re-registering issues a new token; the old one stays dead.
    const fresh = await register('auth', 'cam-1');
    expect((await api('GET', '/device/desired', undefined, fresh)).statusCode).toBe(200);
    expect((await api('GET', '/device/desired', undefined, token)).statusCode).toBe(401);
  });

  it('deploys a detector (sha256 + size served with the file); refuses other kinds; results and feedback are idempotent by id', async () => {
    await api('POST', '/fleets', { name: 'plant' });
    const token = await register('plant', 'cam-a');
    const v1 = await registerFixtureDetector(models(), 'scratch-det');
    const notDetector = await t.ctx.services.models.create({ name: 'not-det', kind: 'text-classifier', params: {} });
    const bad = await api('POST', '/fleets/plant/deployments', { model: `not-det:${notDetector.version}` });
    expect(bad.json()).toMatchObject({ code: 'EDGE_DEPLOYMENT_INVALID' });
    const dep = await api('POST', '/fleets/plant/deployments', { model: 'scratch-det:1' });
    expect(dep.statusCode, dep.body).toBe(201);
    expect(dep.json()).toMatchObject({ state: 'promoted', model: 'scratch-det:1', modelId: v1.id });
    const desired = (await api('GET', '/device/desired', undefined, token)).json();
    expect(desired.model).toMatchObject({ id: v1.id, ref: 'scratch-det:1', canary: false });
    const file = await api('GET', `/device/models/${v1.id}`, undefined, token);
    expect(file.statusCode).toBe(200);
    expect(createHash('sha256').update(file.rawPayload).digest('hex')).toBe(desired.model.sha256);
    expect(file.rawPayload.length).toBe(desired.model.size);
    expect((await api('GET', `/device/models/${notDetector.id}`, undefined, token)).json()).toMatchObject({ code: 'EDGE_MODEL_NOT_DEPLOYED' });

    const batch = resultBatch(v1.id, 'p', 5, { score: 0.9 });
    expect((await api('POST', '/device/results', batch, token)).json()).toEqual({ accepted: 5, duplicates: 0 });
    expect((await api('POST', '/device/results', batch, token)).json()).toEqual({ accepted: 0, duplicates: 5 });
    const invalid = await api('POST', '/device/results', { results: [{ id: 'x' }] }, token);
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().code).toBe('EDGE_UPLOAD_INVALID');

    const image = await grayImage(40);
    const fb = { image: 'dark.png', modelId: v1.id, maxScore: 0.16, capturedAt: new Date().toISOString(), data: image.toString('base64') };
    expect((await api('PUT', '/device/feedback/fb-00000001', fb, token)).statusCode).toBe(201);
    expect((await api('PUT', '/device/feedback/fb-00000001', fb, token)).statusCode).toBe(200);
    // The id becomes part of an artifact key: only [A-Za-z0-9_-]{8,80} passes; nothing is stored for the rest.
    for (const id of ['..%2F..%2Fescape01', 'a.b.c.d.e.f.g.h', 'short']) expect((await api('PUT', `/device/feedback/${id}`, fb, token)).statusCode, id).toBe(400);
    expect(await t.ctx.artifacts.list('edge/')).toHaveLength(1);
    const notImage = await api('PUT', '/device/feedback/fb-00000002', { ...fb, data: Buffer.from('hello').toString('base64') }, token);
    expect(notImage.json()).toMatchObject({ code: 'EDGE_UPLOAD_INVALID' });
    const status = (await api('GET', '/fleets/plant')).json();
    expect(status.totals).toEqual({ results: 5, feedback: 1, errors: 0 });
    expect(status.devices[0]).toMatchObject({ name: 'cam-a', results: 5, feedback: 1 });
  });

  it('a canary that fails its health check rolls back; a healthy one is promoted; long-polling devices are told at once', async () => {
    await api('POST', '/fleets', { name: 'canary', health: { minSamples: 4 } });
    const tokens = [await register('canary', 'a'), await register('canary', 'b')];
    const good = await registerFixtureDetector(models(), 'cdet');
    await api('POST', '/fleets/canary/deployments', { model: 'cdet:1' });
    const broken = await registerFixtureDetector(models(), 'cdet', 'broken');
    // Device a long-polls on v1 while v2 is deployed as a canary to half the fleet (one device: a, the first by name).
    const poll = api('GET', `/device/desired?current=${good.id}&wait=10`, undefined, tokens[0]);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const dep = (await api('POST', '/fleets/canary/deployments', { model: 'cdet:2', canary: 0.5 })).json();
    expect(dep).toMatchObject({ state: 'canary', canaryDevices: [expect.any(String)] });
    expect((await poll).json().model).toMatchObject({ id: broken.id, canary: true });
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await api('GET', '/device/desired', undefined, tokens[1])).json().model.id).toBe(good.id);
    // The canary errors on every image: rolled back after minSamples; both devices are back on v1.
    await api('POST', '/device/results', resultBatch(broken.id, 'bad', 4, { error: 'EDGE_INFERENCE_FAILED' }), tokens[0]);
    const history = (await api('GET', '/fleets/canary/deployments')).json().items;
    expect(history[0]).toMatchObject({ model: 'cdet:2', state: 'rolled_back', health: { decision: 'rollback', errorRate: 1 } });
    expect(history[0].reason).toContain('error rate 100.0 %');
    for (const tok of tokens) expect((await api('GET', '/device/desired', undefined, tok)).json().model.id).toBe(good.id);
    // A healthy version goes through its canary and is promoted to the whole fleet.
    const v3 = await registerFixtureDetector(models(), 'cdet');
    await api('POST', '/fleets/canary/deployments', { model: 'cdet:3' });
    await api('POST', '/device/results', resultBatch(v3.id, 'ok', 4, { score: 0.9, latencyMs: 5 }), tokens[0]);
    expect((await api('GET', '/fleets/canary/deployments')).json().items[0]).toMatchObject({ model: 'cdet:3', state: 'promoted' });
    for (const tok of tokens) expect((await api('GET', '/device/desired', undefined, tok)).json().model.id).toBe(v3.id);
    expect((await api('GET', '/fleets/canary')).json().stableModel).toBe('cdet:3');
  });

  it('a canary device that cannot take the version (checksum) rolls it back from its heartbeat', async () => {
    await api('POST', '/fleets', { name: 'hb' });
    const tokens = [await register('hb', 'a'), await register('hb', 'b')];
    await registerFixtureDetector(models(), 'hdet');
    await api('POST', '/fleets/hb/deployments', { model: 'hdet:1' });
    const v2 = await registerFixtureDetector(models(), 'hdet');
    await api('POST', '/fleets/hb/deployments', { model: 'hdet:2' });
    const hb = { sentAt: new Date().toISOString(), modelId: null, modelError: { modelId: v2.id, code: 'EDGE_MODEL_CHECKSUM_MISMATCH', message: 'sha256 differs' }, inferenceRate: 0, inferences: 0, queueDepth: 0, queueBytes: 0, diskBytes: 0, warnings: [] };
    expect((await api('POST', '/device/heartbeat', hb, tokens[0])).statusCode).toBe(200);
    expect((await api('GET', '/fleets/hb/deployments')).json().items[0]).toMatchObject({ state: 'rolled_back', reason: 'device a could not take the version (EDGE_MODEL_CHECKSUM_MISMATCH)' });
  });
});

describe('/api/v1/edge with API tokens configured', () => {
  let s: TestApp;
  beforeAll(async () => {
    s = await createTestApp({ workerMode: 'inline', apiTokens: ['admin:admin-secret-token-123456'] }, { worker: false });
  }, 120_000);
  afterAll(async () => s?.close());

  it('device routes take the device token (not an API token); people routes take an API token (not a device token)', async () => {
    const admin = { authorization: 'Bearer admin-secret-token-123456' };
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/edge/fleets', payload: { name: 'sec' }, headers: admin })).statusCode).toBe(201);
    const reg = await s.app.inject({ method: 'POST', url: '/api/v1/edge/fleets/sec/devices', payload: { name: 'cam' }, headers: admin });
    const device = { authorization: `Bearer ${reg.json().token}` };
    expect((await s.app.inject({ method: 'GET', url: '/api/v1/edge/device/desired', headers: device })).statusCode).toBe(200);
    const withApiToken = await s.app.inject({ method: 'GET', url: '/api/v1/edge/device/desired', headers: admin });
    expect(withApiToken.statusCode).toBe(401);
    expect(withApiToken.json().code).toBe('EDGE_DEVICE_TOKEN_INVALID');
    expect((await s.app.inject({ method: 'GET', url: '/api/v1/edge/fleets/sec', headers: device })).statusCode).toBe(401);
    expect((await s.app.inject({ method: 'POST', url: '/api/v1/edge/fleets/sec/devices/cam/revoke', headers: device })).statusCode).toBe(401);
  });
});
