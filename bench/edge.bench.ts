/**
 * Edge (issue 15): (a) agent inference images/s beside onnxruntime-node running the same ONNX file directly in the
 * same run, on the same images; (b) latency from a low-confidence image landing in the device's watched folder to its
 * row in the labeling inbox, online.
 * The detector is D2's architecture (frozen MobileNetV2 int8 features + FCOS head + NMS in one ONNX file, untrained
 * weights: the same compute as a trained one) exported with Debian's torch; without torch, the edge fixture detector
 * (a one-box graph: the numbers then measure the agent's own overhead). Images: metal-tags (450×300 JPEG) when at
 * hand. The server runs in this process on 127.0.0.1; the agent is a real `sagebrush agent` process.
 * Direct = read file + decode (sharp, as the agent) + session.run, one thread; agent = its steady state, first to last
 * result (decode, inference, outbox and journal writes, file moves) and, beside it, including the folder pickup.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions, BenchResult } from './run.ts';
import { loadConfig } from '../src/core/config.ts';
import { createAppContext } from '../src/app/context.ts';
import { buildApp } from '../src/http/app.ts';
import { decodeRgb, openDetector } from '../src/agent/detector.ts';
import { buildFixtureDetector } from '../src/domains/edge/testing/detectorFixture.ts';
import { grayImage } from '../src/domains/edge/testing/fixtures.ts';
import { agentProcess } from '../src/domains/edge/testing/processes.ts';
import { HAS_METAL_TAGS, HAS_TORCH, metalTagsSubset, METAL_TAGS } from '../src/domains/detection/testing.ts';

export const name = 'edge';
export const title = 'Edge agent: images/s vs onnxruntime-node directly, and low-confidence image → labeling inbox latency';

const f = (x: number, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function detectorBytes(): Promise<{ bytes: Uint8Array; label: string }> {
  if (HAS_TORCH) {
    const { exportUntrainedDetector } = await import('../src/domains/detection/trainer.ts');
    return { bytes: await exportUntrainedDetector(['scratch']), label: "D2's detector (MobileNetV2 int8 + FCOS + NMS, untrained weights)" };
  }
  return { bytes: await buildFixtureDetector(), label: 'edge fixture detector (no torch here: agent overhead only)' };
}

async function images(n: number): Promise<Array<{ name: string; bytes: Buffer }>> {
  if (HAS_METAL_TAGS) {
    const dir = join(METAL_TAGS, 'images', 'bad');
    return readdirSync(dir).filter((x) => x.endsWith('.jpg')).sort().slice(0, n).map((x) => ({ name: x, bytes: readFileSync(join(dir, x)) }));
  }
  return Promise.all(Array.from({ length: n }, async (_, i) => ({ name: `gray-${i}.png`, bytes: await grayImage(20 + (i % 200), 450, 300) })));
}

export async function run(options: BenchOptions = { smoke: false }): Promise<BenchResult> {
  const n = options.smoke ? 6 : 60;
  const m = options.smoke ? 2 : 10;
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-edge-'));
  const { bytes: onnx, label } = await detectorBytes();
  const imgs = await images(n);
  // (a) direct: the same file, one thread, read + decode + run per image (after a warm-up run).
  const modelPath = join(dir, 'model.onnx');
  writeFileSync(modelPath, onnx);
  const files = imgs.map((img) => { const p = join(dir, 'direct', img.name); mkdirSync(join(dir, 'direct'), { recursive: true }); writeFileSync(p, img.bytes); return p; });
  /** Measured before and after the agent (the mean is reported), so drift in the machine's load favours neither side. */
  const directRunMs: number[] = [];
  async function direct(): Promise<number> {
    const det = await openDetector(modelPath, 'direct', 1);
    for (const p of files.slice(0, 3)) await det.detect(await decodeRgb(readFileSync(p), p));
    const t0 = performance.now();
    for (const p of files) {
      const rgb = await decodeRgb(readFileSync(p), p);
      const r0 = performance.now();
      await det.detect(rgb);
      directRunMs.push(performance.now() - r0);
    }
    const ips = n / ((performance.now() - t0) / 1000);
    await det.dispose();
    return ips;
  }
  const directBefore = await direct();

  // The server (in-process) with a fleet whose feedback dataset exists, so low-confidence images reach the inbox.
  const ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir: join(dir, 'server'), logLevel: 'silent' } }));
  const app = await buildApp(ctx, { webDist: join(dir, 'no-ui') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const agentDirs = { watch: join(dir, 'watch'), data: join(dir, 'agent') };
  let agent: ReturnType<typeof agentProcess> | undefined;
  try {
    let dataset = 'bench-line';
    if (HAS_METAL_TAGS) await ctx.services.detectionDatasets.importFolder(metalTagsSubset(2), { name: dataset });
    else dataset = 'bench-line-none';
    await ctx.services.edge.createFleet({ name: 'bench', feedbackDataset: dataset, feedbackThreshold: 0.99 });
    const { token } = await ctx.services.edge.registerDevice('bench', 'bench-cam');
    const model = await ctx.services.models.create({ name: 'bench-det', kind: 'detector', params: {} });
    await ctx.artifacts.put(`models/${model.id}/model.onnx`, Buffer.from(onnx));
    await ctx.services.models.markReady(model.id, { metrics: {}, artifacts: { 'model.onnx': `models/${model.id}/model.onnx` } });
    await ctx.services.edge.deploy('bench', 'bench-det:1', { by: 'bench' });
    agent = agentProcess({ server: url, token, ...agentDirs, device: 'bench-cam', extra: ['--heartbeat-ms', '2000'] });
    const journal = join(agentDirs.data, 'results.jsonl');
    const count = () => (existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').filter(Boolean).length : 0);
    for (let i = 0; ; i++) {
      if (existsSync(join(agentDirs.data, 'models', 'current.json'))) break;
      if (i > 1200) throw new Error(`the agent did not load the model:\n${agent.output()}`);
      await sleep(50);
    }
    // Warm-up image, then all n at once.
    const drop = (nm: string, b: Buffer) => { writeFileSync(join(agentDirs.watch, `.${nm}.tmp`), b); renameSync(join(agentDirs.watch, `.${nm}.tmp`), join(agentDirs.watch, nm)); };
    drop('warmup.jpg', imgs[0]!.bytes);
    while (count() < 1) await sleep(10);
    const dropped = performance.now();
    for (const img of imgs) drop(`a-${img.name}`, img.bytes);
    let first = 0;
    while (count() < n + 1) {
      if (!first && count() >= 2) first = performance.now();
      await sleep(5);
    }
    const last = performance.now();
    const steadyIps = (n - 1) / ((last - first) / 1000);
    // Every result must be a real inference (an error result would be cheap and flatter the agent).
    const results = readFileSync(journal, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { error: { code: string } | null; detections: unknown[]; latencyMs: number | null });
    const failed = results.filter((r) => r.error);
    if (failed.length) throw new Error(`${failed.length} agent results are errors (${failed[0]!.error!.code}); the comparison would be meaningless`);
    const agentRunMs = results.slice(1).map((r) => r.latencyMs ?? 0);
    const withPickupIps = n / ((last - dropped) / 1000);
    // (b) latency: one low-confidence image at a time → its row in the labeling inbox (or edge_feedback without a dataset).
    const inboxRows = async () => HAS_METAL_TAGS
      ? Number((await ctx.db.selectFrom('labeling_inbox').select((eb) => eb.fn.countAll<number>().as('n')).where('source', 'like', 'bench/%').executeTakeFirstOrThrow()).n)
      : Number((await ctx.db.selectFrom('edge_feedback').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    // Let the backlog of (a) reach the inbox first.
    for (let i = 0; (await inboxRows()) < n + 1 && i < 1200; i++) await sleep(50);
    const latencies: number[] = [];
    for (let i = 0; i < m; i++) {
      const before = await inboxRows();
      const start = performance.now();
      drop(`lat-${i}-${imgs[i % n]!.name}`, imgs[i % n]!.bytes);
      while ((await inboxRows()) <= before) {
        if (performance.now() - start > 30_000) throw new Error(`no inbox row after 30 s:\n${agent.output().slice(-2000)}`);
        await sleep(10);
      }
      latencies.push(performance.now() - start);
    }
    const directAfter = await direct();
    const directIps = (directBefore + directAfter) / 2;
    const ratio = steadyIps / directIps;
    const markdown = [
      `Model: ${label}, ${(onnx.length / 1e6).toFixed(1)} MB; ${n} images (${HAS_METAL_TAGS ? 'metal-tags 450×300 JPEG' : 'generated 450×300 PNG'}); one onnxruntime thread on both sides.`,
      '',
      '| | images/s | vs direct |',
      '|---|---:|---:|',
      `| onnxruntime-node directly (read + decode + run; mean of ${f(directBefore)} before and ${f(directAfter)} after the agent; session.run alone: median ${f(pct(directRunMs, 50))} ms) | ${f(directIps)} | 1.00× |`,
      `| sagebrush agent, steady state (first → last result; its session.run alone: median ${f(pct(agentRunMs, 50))} ms) | ${f(steadyIps)} | ${f(ratio, 2)}× |`,
      `| sagebrush agent, from the drop (includes the folder pickup: size stable over two 200 ms polls) | ${f(withPickupIps)} | ${f(withPickupIps / directIps, 2)}× |`,
      '',
      `Low-confidence image in the watched folder → row in the ${HAS_METAL_TAGS ? 'labeling inbox' : 'edge feedback table (no metal-tags: no dataset for the inbox)'}, online, ${m} images one at a time: median ${f(pct(latencies, 50) / 1000, 2)} s, p95 ${f(pct(latencies, 95) / 1000, 2)} s, max ${f(Math.max(...latencies) / 1000, 2)} s (aim < 5 s).`,
    ].join('\n');
    return { markdown, summary: { directIps, steadyIps, withPickupIps, ratio, latencyMedianMs: pct(latencies, 50), latencyP95Ms: pct(latencies, 95), model: label } };
  } finally {
    await agent?.kill('SIGTERM');
    await app.close();
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
