/**
 * The agent in-process against the real app on 127.0.0.1: inference on a watched folder with feedback below the
 * fleet's threshold, and the bad inputs — a file that is not an image, a corrupt model download, a revoked token —
 * each a documented error while the agent keeps running.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../domains/datasets/testing/harness.ts';
import { registerFixtureDetector } from '../domains/edge/testing/detectorFixture.ts';
import { grayImage } from '../domains/edge/testing/fixtures.ts';
import { startAgent, type AgentHandle } from './agent.ts';
import { until as pollUntil } from '../core/testing/poll.ts';

let t: TestApp;
let url: string;
const agents: AgentHandle[] = [];
const logs: Array<{ level: string; msg: string; code?: string }> = [];
beforeAll(async () => {
  t = await createTestApp({ workerMode: 'inline' }, { worker: false });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
}, 120_000);
afterAll(async () => {
  for (const a of agents) await a.stop();
  await t?.close();
});

const api = async (method: string, path: string, body?: unknown) => {
  const res = await t.app.inject({ method: method as 'GET', url: `/api/v1/edge${path}`, ...(body ? { payload: body as object } : {}) });
  return res.json();
};
const until = <T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 20_000) => pollUntil(what, fn, { ms, intervalMs: 100 });
async function agentFor(fleet: string, device: string, extra: { listen?: number; annotate?: boolean; maxQueueBytes?: number; keepProcessed?: number } = {}) {
  const { token } = await api('POST', `/fleets/${fleet}/devices`, { name: device });
  const dir = mkdtempSync(join(tmpdir(), 'sb-agent-'));
  const watch = join(dir, 'watch');
  const data = join(dir, 'data');
  const start = async () => {
    const a = await startAgent({ ...extra, server: url, token, watch, data, device, pollMs: 50, heartbeatMs: 300, maxBackoffMs: 500, longPollSeconds: 2, modelRetryMs: 500, log: (level, msg, extra) => logs.push({ level, msg, ...(extra as { code?: string }) }) });
    agents.push(a);
    return a;
  };
  return { agent: await start(), watch, data, start };
}
const drop = async (watch: string, name: string, bytes: Buffer) => {
  writeFileSync(join(watch, `.${name}.tmp`), bytes);
  const { renameSync } = await import('node:fs');
  renameSync(join(watch, `.${name}.tmp`), join(watch, name));
};

describe('edge agent (in-process, real server on loopback)', () => {
  it('infers on new images, sends low-confidence ones back, and moves a non-image aside with EDGE_IMAGE_UNREADABLE', async () => {
    await api('POST', '/fleets', { name: 'f1' });
    const model = await registerFixtureDetector({ models: t.ctx.services.models, artifacts: t.ctx.artifacts }, 'agent-det');
    await api('POST', '/fleets/f1/deployments', { model: 'agent-det:1' });
    const { agent, watch, data } = await agentFor('f1', 'cam');
    await until('model', () => agent.status().modelId === model.id);
    await drop(watch, 'bright.png', await grayImage(230));
    await drop(watch, 'dark.png', await grayImage(30));
    await drop(watch, 'notes.png', Buffer.from('this is not an image'));
    const status = await until('3 results on the server', async () => {
      const s = await api('GET', '/fleets/f1');
      return s.totals.results === 3 && s.totals.feedback === 1 ? s : undefined;
    });
    expect(status.totals.errors).toBe(1);
    expect(readdirSync(join(data, 'rejected')).some((n: string) => n.endsWith('notes.png'))).toBe(true);
    const lines = readFileSync(join(data, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.find((l) => l.image === 'notes.png').error.code).toBe('EDGE_IMAGE_UNREADABLE');
    expect(lines.find((l) => l.image === 'dark.png')).toMatchObject({ lowConfidence: true, detections: [{ classId: 0, score: expect.closeTo(30 / 255, 3) }] });
    expect(lines.find((l) => l.image === 'bright.png').lowConfidence).toBe(false);
    expect((await api('GET', '/fleets/f1/feedback')).items.map((f: { image: string }) => f.image)).toEqual(['dark.png']);
    expect(logs.some((l) => l.code === 'EDGE_IMAGE_UNREADABLE')).toBe(true);
  });

  it('a corrupt model download (checksum) is refused: the agent keeps its model and reports EDGE_MODEL_CHECKSUM_MISMATCH', async () => {
    await api('POST', '/fleets', { name: 'f2' });
    const deps = { models: t.ctx.services.models, artifacts: t.ctx.artifacts };
    const v1 = await registerFixtureDetector(deps, 'sum-det');
    await api('POST', '/fleets/f2/deployments', { model: 'sum-det:1' });
    const first = await agentFor('f2', 'cam');
    await until('v1', () => first.agent.status().modelId === v1.id);
    await first.agent.stop();
    const v2 = await registerFixtureDetector(deps, 'sum-det');
    await api('POST', '/fleets/f2/deployments', { model: 'sum-det:2', canary: 1 });
    // The artifact changes after the deployment recorded its sha256: what the device downloads no longer matches.
    await t.ctx.artifacts.put(v2.artifacts.onnx!, Buffer.concat([await t.ctx.artifacts.get(v2.artifacts.onnx!), Buffer.from([0])]));
    // Restarted (offline-first: it runs v1 from its own disk at once), it then fetches v2 and refuses it.
    const agent = await first.start();
    const watch = first.watch;
    expect(agent.status().modelId).toBe(v1.id);
    await until('checksum error logged', () => logs.some((l) => l.code === 'EDGE_MODEL_CHECKSUM_MISMATCH'));
    expect(agent.status().modelId).toBe(v1.id);
    const device = await until('reported in the heartbeat', async () => (await api('GET', '/fleets/f2')).devices.find((d: { modelError: unknown }) => d.modelError));
    expect(device.modelError).toMatchObject({ modelId: v2.id, code: 'EDGE_MODEL_CHECKSUM_MISMATCH' });
    await drop(watch, 'still.png', await grayImage(200));
    await until('still inferring on v1', async () => (await api('GET', '/fleets/f2')).totals.results === 1);
  });

  it('a revoked token: EDGE_DEVICE_REVOKED is reported (error log, status), the agent keeps inferring and queues on disk', async () => {
    await api('POST', '/fleets', { name: 'f3' });
    await registerFixtureDetector({ models: t.ctx.services.models, artifacts: t.ctx.artifacts }, 'rev-det');
    await api('POST', '/fleets/f3/deployments', { model: 'rev-det:1' });
    const { agent, watch, data } = await agentFor('f3', 'cam');
    await until('model', () => agent.status().modelId);
    await api('POST', '/fleets/f3/devices/cam/revoke');
    await drop(watch, 'after-revoke.png', await grayImage(220));
    await until('revoked reported', () => agent.status().lastError?.code === 'EDGE_DEVICE_REVOKED');
    await until('inferred anyway', () => existsSync(join(data, 'results.jsonl')) && readFileSync(join(data, 'results.jsonl'), 'utf8').includes('after-revoke.png'));
    expect(agent.status().queue.depth).toBeGreaterThan(0);
    expect((await api('GET', '/fleets/f3')).totals.results).toBe(0);
    expect(logs.some((l) => l.code === 'EDGE_DEVICE_REVOKED' && l.level === 'error')).toBe(true);
  });

  it('answers HTTP POSTs on loopback with the same pipeline (queued, fed back) and writes annotated images', async () => {
    await api('POST', '/fleets', { name: 'f4' });
    await registerFixtureDetector({ models: t.ctx.services.models, artifacts: t.ctx.artifacts }, 'http-det');
    await api('POST', '/fleets/f4/deployments', { model: 'http-det:1' });
    const { agent, data, watch } = await agentFor('f4', 'cam', { listen: 0, annotate: true, keepProcessed: 30 });
    await until('model', () => agent.status().modelId);
    const post = (body: Buffer) => fetch(`${agent.url}/infer`, { method: 'POST', body: new Uint8Array(body), headers: { 'x-image-name': 'posted.png' } });
    const ok = await post(await grayImage(20));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ image: 'posted.png', lowConfidence: true, detections: [{ classId: 0 }] });
    const bad = await post(Buffer.from('not an image'));
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe('EDGE_IMAGE_UNREADABLE');
    await drop(watch, 'folder.png', await grayImage(240));
    await until('both on the server, the dark one fed back', async () => {
      const s = await api('GET', '/fleets/f4');
      return s.totals.results === 3 && s.totals.feedback === 1;
    });
    expect(readdirSync(join(data, 'annotated')).filter((n) => n.endsWith('.jpg')).length).toBe(2);
    expect((await (await fetch(`${agent.url}/status`)).json()).inferences).toBe(3);
    // Bounded disk: past 50 images only the newest keepProcessed (30) processed images stay.
    for (let i = 0; i < 50; i++) await drop(watch, `bulk-${i}.png`, await grayImage(240));
    await until('all 53 inferred', () => agent.status().inferences >= 53, 60_000);
    // Pruned after the pass that wrote them, whichever passes the 50 files fell into (CI once caught 33 left over).
    await until('pruned', () => readdirSync(join(data, 'processed')).length === 30 && readdirSync(join(data, 'annotated')).length === 30);
  }, 90_000); // 53 inferences and uploads: under a loaded CI machine this took over the default 30 s once

  it('over its queue cap (server refusing it): EDGE_QUEUE_FULL is warned, feedback images stop being queued, results still are', async () => {
    await api('POST', '/fleets', { name: 'f5' });
    await registerFixtureDetector({ models: t.ctx.services.models, artifacts: t.ctx.artifacts }, 'cap-det');
    await api('POST', '/fleets/f5/deployments', { model: 'cap-det:1' });
    const { agent, data, watch } = await agentFor('f5', 'cam', { maxQueueBytes: 1500 });
    await until('model', () => agent.status().modelId);
    await api('POST', '/fleets/f5/devices/cam/revoke'); // nothing drains any more: heartbeats pile up
    await until('over the cap', () => agent.status().warnings.some((w) => w.startsWith('EDGE_QUEUE_FULL')));
    await drop(watch, 'dark-over-cap.png', await grayImage(15));
    await until('inferred', () => existsSync(join(data, 'results.jsonl')) && readFileSync(join(data, 'results.jsonl'), 'utf8').includes('dark-over-cap.png'));
    expect(readdirSync(join(data, 'outbox', 'feedback'))).toEqual([]);
    expect(readdirSync(join(data, 'outbox', 'results'))).toHaveLength(1);
    expect(logs.some((l) => l.code === 'EDGE_QUEUE_FULL' && l.msg.includes('over its cap'))).toBe(true);
  });
});
