/**
 * Issue 15's whole loop through the CLI, with real processes on loopback: `sagebrush serve` and one `sagebrush agent`.
 * A 36-image metal-tags subset is imported as a detection dataset (its labels: APPROVED records in `image_labels`);
 * the example pipeline examples/pipelines/visual-inspection.yaml is applied and run with --wait: the detector trains
 * from the latest approved labels, the mAP50-95 gate passes, the version is registered PendingManualApproval and the
 * run waits. `models approve` → the server's orchestrator runs `edge.deploy` → the fleet's deployment points to the
 * new version, the agent switches to it, and an image it finds nothing confident in comes back to the labeling inbox,
 * where a labeling job "from inbox" takes it.
 *
 * Tiny data on 2 shared cores: 3 epochs and `minMap50_95=0` (the sample's gate is 0.4, the default), so the condition
 * passes on what 29 training images can give; the real figures are bench/detection.bench.ts's.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAS_METAL_TAGS, HAS_TORCH, metalTagsSubset } from '../../src/domains/detection/testing.ts';
import { grayImage } from '../../src/domains/edge/testing/fixtures.ts';
import { agentProcess, serve, type Proc } from '../../src/domains/edge/testing/processes.ts';
import { until as pollUntil } from '../../src/core/testing/poll.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/sagebrush.js');
const EXAMPLE = join(ROOT, 'examples/pipelines/visual-inspection.yaml');
const dir = mkdtempSync(join(tmpdir(), 'sb-loop-e2e-'));
let server: (Proc & { url: string }) | undefined;
let agent: Proc | undefined;

/** `sagebrush --url SERVER --json ARGS` (a real process); must exit 0; its parsed stdout. */
function cli(args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--url', server!.url, '--json', ...args], { cwd: ROOT, env: { ...process.env, SAGEBRUSH_LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`sagebrush ${args.join(' ')} → exit ${code}\n${stdout}\n${stderr}`))));
  });
}
async function api(path: string): Promise<any> {
  const res = await fetch(`${server!.url}/api/v1${path}`);
  if (!res.ok) throw new Error(`GET ${path} → ${res.status} ${await res.text()}`);
  return res.json();
}
const until = <T>(what: string, fn: () => Promise<T | undefined | false>, ms = 90_000) =>
  pollUntil(what, fn, { ms, intervalMs: 300, context: () => `--- agent\n${agent?.output().slice(-3000) ?? ''}` });

afterAll(async () => {
  await agent?.kill('SIGTERM');
  await server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAS_TORCH || !HAS_METAL_TAGS)('the visual-inspection loop (CLI, server + agent processes)', () => {
  it('labels → train → gate → pending → approve → deploy → agent switches → low-confidence image → inbox → labeling job', async () => {
    server = await serve(join(dir, 'server'));
    const imported = await cli(['detection', 'import', metalTagsSubset(36), '--name', 'metal-tags']);
    expect(imported).toMatchObject({ name: 'metal-tags', images: 36, labeled: 36, classes: ['scratch'] });

    // The fleet (its feedback goes to the dataset's inbox below 0.99: whatever the tiny detector finds on a flat gray
    // image is far below that) and one device running the agent.
    await cli(['edge', 'fleets', 'create', 'line-1', '--dataset', 'metal-tags', '--threshold', '0.99']);
    const { token } = await cli(['edge', 'devices', 'register', 'cam-1', '--fleet', 'line-1']);
    const watch = join(dir, 'watch');
    const data = join(dir, 'agent');
    mkdirSync(watch);
    agent = agentProcess({ server: server.url, token, watch, data, device: 'cam-1' });

    expect(await cli(['pipelines', 'apply', EXAMPLE])).toEqual({ name: 'visual-inspection', version: 1 });
    const triggers = await api('/pipelines/visual-inspection/triggers');
    expect(JSON.stringify(triggers)).toMatch(/feature-records/);
    expect(JSON.stringify(triggers)).toMatch(/Europe\/Berlin/);

    const run = await cli(['pipelines', 'run', 'visual-inspection', '--param', 'epochs=3', '--param', 'minMap50_95=0', '--wait']);
    expect(run.status, JSON.stringify(run)).toBe('waiting');
    expect(run.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual([
      'train:succeeded', 'check-map:succeeded', 'register:succeeded', 'approve:waiting', 'deploy:pending', 'too-weak:skipped',
    ]);
    const detail = await api(`/pipelines/runs/${run.run}`);
    const trained = detail.steps.find((s: { name: string }) => s.name === 'train').outputs;
    expect(trained).toMatchObject({ model: { name: 'tags-detector', version: 1 }, n_train: 29, n_test: 7 });
    expect((await cli(['models', 'approval', 'tags-detector:1'])).status).toBe('PendingManualApproval');
    // Nothing is deployed before the approval.
    expect((await cli(['edge', 'status', 'line-1'])).deployments).toEqual([]);

    await cli(['models', 'approve', 'tags-detector:1', '--reason', 'loop e2e']);
    const resumed = await cli(['pipelines', 'resume', run.run]);
    expect(resumed.status, JSON.stringify(resumed)).toBe('succeeded');
    expect(resumed.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`).slice(3, 5)).toEqual(['approve:succeeded', 'deploy:succeeded']);

    // The fleet's deployment points to the new version (its first: the whole fleet), and the agent reports it.
    const status = await cli(['edge', 'status', 'line-1']);
    expect(status.deployments[0]).toMatchObject({ modelId: trained.model.id, model: 'tags-detector:1', state: 'promoted', createdBy: 'pipeline' });
    await until('the agent to run tags-detector:1', async () => (await cli(['edge', 'status', 'line-1'])).devices[0]?.model === 'tags-detector:1');

    // A flat gray image: no detection ≥ 0.99 → feedback → the labeling inbox of metal-tags.
    writeFileSync(join(watch, '.gray.tmp'), await grayImage(128, 450, 300));
    renameSync(join(watch, '.gray.tmp'), join(watch, 'gray.png'));
    const inbox = await until('the image in the labeling inbox', async () => {
      const page = await api('/labeling/inbox?dataset=metal-tags&open=true');
      return (page.items ?? page).length > 0 ? (page.items ?? page) : undefined;
    });
    expect(inbox).toHaveLength(1);
    const results = readFileSync(join(data, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(results.at(-1)).toMatchObject({ image: 'gray.png', modelId: trained.model.id, lowConfidence: true });

    const job = await cli(['labeling', 'create', 'metal-tags', '--inbox', '--name', 'from-the-line']);
    expect(job).toMatchObject({ dataset: 'metal-tags', source: 'inbox', progress: { total: 1 } });
    // The agent moved the image out of the watched folder into processed/ (named <result id prefix>-gray.png).
    expect(existsSync(join(watch, 'gray.png'))).toBe(false);
    expect(readdirSync(join(data, 'processed')).filter((f) => f.endsWith('-gray.png'))).toHaveLength(1);
  }, 900_000);
});
