/**
 * Issue 15's must-show, with real processes on loopback: `sagebrush serve` and two `sagebrush agent` processes.
 * Deploy → both agents take the model and infer on their watched folders; the server is killed; 100 images are
 * dropped across the agents (they infer and queue on disk); the server restarts on the same data dir and port; every
 * result and every feedback image arrives exactly once (counted in the server's database). Then a canary that errors
 * on the device is rolled back automatically and its device returns to the stable version. The agents never die.
 */
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/core/config.ts';
import { registerFixtureDetector } from '../../src/domains/edge/testing/detectorFixture.ts';
import { grayImage } from '../../src/domains/edge/testing/fixtures.ts';
import { agentProcess, serve, type Proc } from '../../src/domains/edge/testing/processes.ts';
import { tempFolder } from '../../src/domains/detection/formats/testing.ts';
import { until as pollUntil } from '../../src/core/testing/poll.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-edge-e2e-'));
const dataDir = join(dir, 'server');
let server: (Proc & { url: string }) | undefined;
const agents: Array<{ name: string; proc: Proc; watch: string; data: string }> = [];
let ids: { v1: string; broken: string };

async function openCtx() {
  return createAppContext(loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent' } }));
}
async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server!.url}/api/v1/edge${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}
const until = <T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 60_000) =>
  pollUntil(what, fn, { ms, context: () => agents.map((a) => `--- ${a.name}\n${a.proc.output().slice(-3000)}`).join('\n') });
const lines = (data: string) => (existsSync(join(data, 'results.jsonl')) ? readFileSync(join(data, 'results.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { image: string; lowConfidence: boolean; error: unknown }) : []);
async function drop(watch: string, name: string, level: number): Promise<void> {
  writeFileSync(join(watch, `.${name}.tmp`), await grayImage(level));
  renameSync(join(watch, `.${name}.tmp`), join(watch, name)); // atomic: the agent never sees half a file
}
const status = () => api('GET', '/fleets/line-1');

beforeAll(async () => {
  const ctx = await openCtx();
  const deps = { models: ctx.services.models, artifacts: ctx.artifacts };
  ids = { v1: (await registerFixtureDetector(deps, 'tags-det')).id, broken: (await registerFixtureDetector(deps, 'tags-det', 'broken')).id };
  // The fleet's feedback dataset (a detection dataset named like the fleet): its labeling inbox gets the dark images.
  await ctx.services.detectionDatasets.importFolder(tempFolder({ 'images/seed.png': await grayImage(128), 'class_labels.json': JSON.stringify({ labels: [{ label: 'scratch' }] }) }), { name: 'line-1' });
  await ctx.close();
  server = await serve(dataDir);
  await api('POST', '/fleets', { name: 'line-1', canaryShare: 0.5, health: { minSamples: 5, maxErrorRate: 0.2 } });
  for (const name of ['a', 'b']) {
    const { token } = await api('POST', '/fleets/line-1/devices', { name });
    const watch = join(dir, `${name}-watch`);
    const data = join(dir, `${name}-data`);
    agents.push({ name, watch, data, proc: agentProcess({ server: server.url, token, watch, data, device: name }) });
  }
}, 240_000);

afterAll(async () => {
  for (const a of agents) await a.proc.kill('SIGTERM');
  await server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('edge agents as processes on loopback', () => {
  it('deploy → infer → server killed → 100 images → restart: every result and feedback image exactly once', async () => {
    await api('POST', '/fleets/line-1/deployments', { model: 'tags-det:1' });
    await until('both agents on v1', async () => (await status()).devices.every((d: { modelId: string }) => d.modelId === ids.v1));
    for (const a of agents) for (let i = 0; i < 2; i++) await drop(a.watch, `online-${i}.png`, 220);
    await until('4 online results', async () => (await status()).totals.results === 4);

    await server!.kill(); // the shop floor loses the server
    const port = new URL(server!.url).port;
    let dark = 0;
    for (let i = 0; i < 100; i++) {
      const a = agents[i % 2]!;
      const level = i % 5 < 2 ? 40 : 225; // 40 % dark → below the 0.7 threshold → feedback
      if (level === 40) dark++;
      await drop(a.watch, `offline-${i}.png`, level);
    }
    await until('all 100 inferred offline', () => agents.reduce((n, a) => n + lines(a.data).filter((l) => l.image.startsWith('offline-')).length, 0) === 100);
    for (const a of agents) expect(readdirSync(join(a.data, 'outbox', 'results')).length).toBeGreaterThan(0);

    server = await serve(dataDir, Number(port));
    const s = await until('the backlog synced', async () => {
      const st = await status();
      return st.totals.results === 104 && st.totals.feedback === dark ? st : undefined;
    }, 90_000);
    expect(s.devices.map((d: { results: number }) => d.results)).toEqual([52, 52]);
    await until('outboxes drained', () => agents.every((a) => readdirSync(join(a.data, 'outbox', 'results')).length === 0 && readdirSync(join(a.data, 'outbox', 'feedback')).length === 0));
    // Exactly once, counted in the database: one row per image and device, none twice.
    const ctx = await openCtx();
    try {
      const perImage = await ctx.db.selectFrom('edge_results').select(['device_id', 'image', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['device_id', 'image']).execute();
      expect(perImage.length).toBe(104);
      expect(perImage.filter((r) => Number(r.n) !== 1)).toEqual([]);
      const feedback = await ctx.db.selectFrom('edge_feedback').select(['image']).execute();
      expect(feedback.length).toBe(dark);
      expect(new Set(feedback.map((f) => f.image)).size).toBe(dark);
      // …and each reached the labeling inbox once (the next labeling job "from inbox" finds them).
      const inbox = await until('all handed to the labeling inbox', async () => {
        const rows = await ctx.db.selectFrom('labeling_inbox').select(['ref', 'source']).where('dataset', '=', 'line-1').execute();
        return rows.length >= dark ? rows : undefined;
      });
      expect(inbox.length).toBe(dark);
      expect(new Set(inbox.map((r) => r.ref)).size).toBe(dark);
      expect(new Set(inbox.map((r) => r.source))).toEqual(new Set(['line-1/a', 'line-1/b']));
    } finally {
      await ctx.close();
    }
    for (const a of agents) expect(a.proc.alive(), a.proc.output().slice(-2000)).toBe(true);
  }, 300_000);

  it('a canary that errors on the device is rolled back automatically; its device returns to the stable version', async () => {
    const dep = await api('POST', '/fleets/line-1/deployments', { model: 'tags-det:2' });
    expect(dep).toMatchObject({ state: 'canary', canaryDevices: [expect.any(String)] });
    await until('device a on the canary', async () => (await status()).devices.find((d: { name: string }) => d.name === 'a').modelId === ids.broken);
    for (let i = 0; i < 6; i++) for (const a of agents) await drop(a.watch, `canary-${i}.png`, 210);
    const rolled = await until('rolled back', async () => (await api('GET', '/fleets/line-1/deployments')).items.find((d: { state: string; model: string }) => d.model === 'tags-det:2' && d.state === 'rolled_back'));
    expect(rolled.health).toMatchObject({ decision: 'rollback', errorRate: 1 });
    await until('device a back on v1', async () => (await status()).devices.every((d: { modelId: string }) => d.modelId === ids.v1));
    expect(lines(agents[0]!.data).filter((l) => l.image.startsWith('canary-') && l.error).length).toBeGreaterThanOrEqual(5);
    expect(lines(agents[1]!.data).filter((l) => l.image.startsWith('canary-') && l.error).length).toBe(0);
    for (const a of agents) expect(a.proc.alive()).toBe(true);
  }, 180_000);
});
