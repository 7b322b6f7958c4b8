/**
 * Crash recovery of a real `sagebrush serve` process (issue 12, item 5): every long job type is started, held
 * mid-run (hold.ts), the server is killed with SIGKILL and restarted on the same data dir. Right after the restart
 * (no lease wait) each job is failed INTERRUPTED or re-queued (idempotent), the model version being trained is
 * `failed`, the dataset being imported is not left half-done, and the log says what was recovered. A second test
 * kills the server half-way through a raw-socket upload. Real data: the bundled Jigsaw sample; the HAM10000 sample
 * from ../shared/data for the image jobs (skipped with a message where absent).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/core/config.ts';
import { packImages } from '../../src/domains/images/folder.ts';
import { HAM_DIR, HAS_HAM, NO_HAM_MESSAGE } from '../../src/domains/images/testing.ts';
import { HAS_TINY, instructionRows, smallSpec, TINY_GGUF } from '../../src/domains/finetune/testing.ts';
import { makeZip } from '../../src/domains/datasets/formats/zip-write.ts';
import { pngBytes } from '../../src/domains/detection/formats/testing.ts';
import { filePost, jsonPost, startServer, type ServerProcess } from './server.ts';

const JIGSAW = join(import.meta.dirname, '../../examples/text/jigsaw-toxic-1k.csv');
const TOX = { dataset: 'toxic', mode: 'multi-label' };
const STATUS = /^(queued|running|succeeded|failed|cancelled)$/;

let dir = '';
const servers: ServerProcess[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.kill9();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function start(data: string, options: Parameters<typeof startServer>[1] = {}): Promise<ServerProcess> {
  const s = await startServer(data, options);
  servers.push(s);
  return s;
}

async function finished(s: ServerProcess, jobId: string): Promise<any> {
  let job: any;
  await vi.waitFor(async () => {
    job = (await s.api(`/api/v1/jobs/${jobId}`)).body;
    expect(job.status).toMatch(STATUS);
    expect(job.status).not.toMatch(/queued|running/);
  }, { timeout: 240_000, interval: 200 });
  expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
  return job;
}

/** Every job type the app registers (the registry's own list). */
async function registeredJobTypes(): Promise<string[]> {
  const ctx = await createAppContext(loadConfig({ env: {}, overrides: { dataDir: join(dir, 'types'), logLevel: 'silent' } }));
  try {
    return ctx.queue.definitions().map((d) => d.type).sort();
  } finally {
    await ctx.close();
  }
}

/** Three HAM10000 labels, eight images each: enough for a quick build, small enough for 2 cores. */
function smallImageZip(): Buffer {
  const folder = join(dir, 'images');
  for (const label of ['bkl', 'df', 'vasc']) {
    mkdirSync(join(folder, label), { recursive: true });
    for (const f of readdirSync(join(HAM_DIR, label)).filter((n) => n.endsWith('.jpg')).slice(0, 8)) copyFileSync(join(HAM_DIR, label, f), join(folder, label, f));
  }
  return packImages(folder).zip;
}

describe('kill -9 and restart', () => {
  it('recovers every long job type at once: failed INTERRUPTED or re-queued; the model version in training is failed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-kill9-'));
    const data = join(dir, 'data');
    const hold = join(dir, 'hold');
    mkdirSync(hold);
    const a = await start(data, { hold, workers: 24 }); // more than the job types held at once (17), so none waits in the queue

    // What the jobs need, made with the hold off: a text dataset and model (and an image dataset and model).
    const up = await a.api('/api/v1/datasets?wait=true', filePost('toxic.csv', readFileSync(JIGSAW), { name: 'toxic' }));
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    await finished(a, (await a.api('/api/v1/text/classifiers', jsonPost({ name: 'tox', ...TOX }))).body.job.id);
    if (HAS_HAM) {
      const img = await a.api('/api/v1/datasets?wait=true', filePost('skin.zip', smallImageZip(), { name: 'skin' }));
      expect(img.status, JSON.stringify(img.body)).toBe(201);
      const built = await a.api('/api/v1/images/models?wait=true', jsonPost({ name: 'skin', dataset: 'skin', folds: 2, cvRepeats: 1, minImagesPerLabel: 1 }));
      expect(built.status, JSON.stringify(built.body)).toBe(201);
    } else {
      console.warn(NO_HAM_MESSAGE);
    }
    // A feature group and a labels dataset for the feature store's ingest job.
    const labels = await a.api('/api/v1/datasets?wait=true', filePost('labels.csv', 'image_id,labeled_at,status\nd/1.jpg,2024-04-01T00:00:00Z,APPROVED\n', { name: 'labels' }));
    expect(labels.status, JSON.stringify(labels.body)).toBe(201);
    const group = { name: 'labels', recordIdentifierFeature: 'image_id', eventTimeFeature: 'labeled_at', features: [{ name: 'image_id', type: 'string' }, { name: 'labeled_at', type: 'string' }, { name: 'status', type: 'string' }] };
    const created = await a.api('/api/v1/feature-groups', jsonPost(group));
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    // Every job type that can run long, each held at its first progress report.
    writeFileSync(join(hold, 'hold'), '');
    const starts: Array<[string, Promise<{ status: number; body: any }>]> = [
      ['text.train', a.api('/api/v1/text/classifiers', jsonPost({ name: 'tox2', ...TOX }))],
      ['text.evaluate', a.api('/api/v1/text/evaluations', jsonPost({ model: 'tox', ...TOX }))],
      ['text.batch', a.api('/api/v1/text/batch-jobs', filePost('docs.txt', 'you are great\nshut up you idiot\n', { model: 'tox', inputFormat: 'one-doc-per-line' }))],
      ['text.tune', a.api('/api/v1/text/models/tox/versions/1/tune', jsonPost({}))],
      ['text.sweep', a.api('/api/v1/text/experiments/sweep', jsonPost({ ...TOX, label: 'insult', positives: [10, 20] }))],
      ['text.learning-curve', a.api('/api/v1/text/experiments/learning-curve', jsonPost({ ...TOX, fractions: [0.5, 1] }))],
      ['text.noisy-labels', a.api('/api/v1/text/experiments/noisy-labels', jsonPost(TOX))],
      ['summarize.run', a.api('/api/v1/summarize', jsonPost({ text: readFileSync(JIGSAW, 'utf8').slice(0, 20_000) }))],
      ['datasets.import', a.api('/api/v1/datasets', filePost('toxic2.csv', readFileSync(JIGSAW), { name: 'toxic2' }))],
      ['features.ingest-dataset', a.api('/api/v1/feature-groups/labels/ingest-dataset', jsonPost({ dataset: 'labels' }))],
      ['detection.train', (async () => { await a.api('/api/v1/detection/datasets', filePost('det.zip', makeZip([{ name: 'images/a.png', data: await pngBytes(64, 48), method: 0 }]), { name: 'det' })); return a.api('/api/v1/detection/models', jsonPost({ dataset: 'det', name: 'det' })); })()],
      ...(HAS_TINY ? [['finetune.train', (async () => { await a.api('/api/v1/llm/models', jsonPost({ path: TINY_GGUF, name: 'tiny' })); const up = (await a.api('/api/v1/finetune/uploads', filePost('ft.jsonl', instructionRows()))).body; return a.api('/api/v1/finetune/runs', jsonPost(smallSpec('tiny', up.id))); })()]] satisfies Array<[string, Promise<{ status: number; body: any }>]> : []),
      ...(HAS_HAM ? ([
        ['images.train', a.api('/api/v1/images/models', jsonPost({ name: 'skin2', dataset: 'skin', folds: 2, cvRepeats: 1, minImagesPerLabel: 1 }))],
        ['images.batch', a.api('/api/v1/images/models/skin/versions/1/batch', jsonPost({ dataset: 'skin' }))],
      ] satisfies Array<[string, Promise<{ status: number; body: any }>]>) : []),
    ];
    const jobs = new Map<string, any>();
    for (const [type, p] of starts) {
      const res = await p;
      expect(res.status, `${type}: ${JSON.stringify(res.body)}`).toBe(202);
      jobs.set(type, res.body);
    }
    // The pipelines' own job types, as the two first steps of one run (no dependencies: both start at once).
    mkdirSync(join(data, 'pipeline-scripts'), { recursive: true });
    writeFileSync(join(data, 'pipeline-scripts', 'noop.mjs'), 'process.stdout.write("{}")\n');
    const steps = [{ name: 'data', type: 'processing', jobType: 'pipelines.dataset-version', inputs: { dataset: 'toxic' } }, { name: 'cmd', type: 'command', script: 'noop.mjs' }];
    expect((await a.api('/api/v1/pipelines', jsonPost({ name: 'held', steps }))).status).toBe(201);
    const run = (await a.api('/api/v1/pipelines/held/runs', jsonPost({}))).body;
    await vi.waitFor(async () => {
      const r = (await a.api(`/api/v1/pipelines/runs/${run.id}`)).body;
      for (const s of r.steps) expect(s.jobId).toEqual(expect.any(String));
      jobs.set('pipelines.dataset-version', { job: { id: r.steps[0].jobId } });
      jobs.set('pipelines.command', { job: { id: r.steps[1].jobId } });
    }, { timeout: 30_000, interval: 100 });
    // edge.deploy runs only as a pipeline step (held at its first progress report, before it resolves the model).
    expect((await a.api('/api/v1/pipelines', jsonPost({ name: 'held-deploy', steps: [{ name: 'deploy', type: 'job', jobType: 'edge.deploy', inputs: { model: 'det:1', fleet: 'line-1' } }] }))).status).toBe(201);
    const deployRun = (await a.api('/api/v1/pipelines/held-deploy/runs', jsonPost({}))).body;
    await vi.waitFor(async () => {
      const jobId = (await a.api(`/api/v1/pipelines/runs/${deployRun.id}`)).body.steps[0].jobId;
      expect(jobId).toEqual(expect.any(String));
      jobs.set('edge.deploy', { job: { id: jobId } });
    }, { timeout: 30_000, interval: 100 });
    // Every registered job type is covered (all of them can run long on real data); a new type must join this test.
    const registered = (await registeredJobTypes()).filter((type) => HAS_HAM || !type.startsWith('images.')).filter((type) => HAS_TINY || !type.startsWith('finetune.'));
    expect([...jobs.keys()].sort()).toEqual(registered);
    const ids = [...jobs.values()].map((b) => b.job.id as string);
    await vi.waitFor(() => expect(ids.filter((id) => !existsSync(join(hold, `${id}.held`)))).toEqual([]), { timeout: 120_000, interval: 100 });
    for (const id of ids) expect((await a.api(`/api/v1/jobs/${id}`)).body.status).toBe('running');
    const skin2 = jobs.get('images.train')?.model;
    if (skin2) expect((await a.api('/api/v1/models?name=skin2')).body.items[0].status).toBe('training');

    await a.kill9();
    // Restarted without a worker, so what we read is exactly what start-up recovery left.
    const b = await start(data, { worker: false });
    for (const [type, body] of jobs) {
      const job = (await b.api(`/api/v1/jobs/${body.job.id}`)).body;
      expect(job.type).toBe(type);
      if (job.idempotent) expect(job, type).toMatchObject({ status: 'queued', attempts: 1, message: expect.stringMatching(/re-queued after an interruption/) });
      else expect(job, type).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTED' } });
    }
    expect(b.logs(/recovery: \d+ interrupted job\(s\) failed INTERRUPTED, \d+ re-queued/)).toHaveLength(1);
    const toxic2 = (await b.api('/api/v1/datasets/toxic2')).body;
    expect(toxic2.versions[0].status).toBe('importing'); // its import job is re-queued: it stays, and finishes below
    if (skin2) {
      const model = (await b.api('/api/v1/models?name=skin2')).body.items[0];
      expect(model).toMatchObject({ status: 'failed', meta: { failure: { code: 'INTERRUPTED' } } });
      expect(b.logs(/recovery: marked \d+ model version\(s\) left "training" as failed: .*skin2:1/)).toHaveLength(1);
    }

    // A normal restart runs what was re-queued.
    await b.kill9();
    const c = await start(data);
    await finished(c, jobs.get('datasets.import').job.id);
    expect((await c.api('/api/v1/datasets/toxic2')).body.versions[0]).toMatchObject({ status: 'ready', rowCount: 1000 });
    // The pipeline run resumes: its re-queued dataset step finishes; the interrupted command step (not idempotent) fails with a clear code.
    await vi.waitFor(async () => expect((await c.api(`/api/v1/pipelines/runs/${run.id}`)).body.status).toBe('failed'), { timeout: 60_000, interval: 200 });
    const resumed = (await c.api(`/api/v1/pipelines/runs/${run.id}`)).body;
    expect(resumed.steps.map((s: any) => [s.name, s.status, s.error?.code ?? null])).toEqual([['data', 'succeeded', null], ['cmd', 'failed', 'PIPELINE_STEP_INTERRUPTED']]);
    expect(c.logs(/recovery:/)).toEqual([]); // nothing left to recover the second time
  }, 600_000);

  it('an upload killed half-way: no version left "uploading", no temp file, and the log says so', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-kill9-'));
    const data = join(dir, 'data');
    const a = await start(data);
    const { port, hostname } = new URL(a.url);
    const boundary = 'sbkill9boundary';
    const head = `--${boundary}\r\ncontent-disposition: form-data; name="name"\r\n\r\nbig\r\n--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.csv"\r\ncontent-type: text/csv\r\n\r\ntext,label\r\n`;
    const socket = connect(Number(port), hostname);
    socket.on('error', () => {}); // the server dies under it
    socket.write(`POST /api/v1/datasets HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: multipart/form-data; boundary=${boundary}\r\ncontent-length: ${200 * 1024 * 1024}\r\n\r\n${head}`);
    const chunk = Buffer.from('a comment that goes on and on,clean\r\n'.repeat(30_000));
    const temps = () => {
      const root = join(data, 'artifacts');
      return existsSync(root) ? readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((p) => p.split('/').pop()!.startsWith('.sb-tmp-')) : [];
    };
    let sent = 0;
    await vi.waitFor(async () => {
      sent += chunk.length;
      await new Promise<void>((r) => socket.write(chunk, () => r()));
      expect(temps().length).toBe(1);
      expect(sent).toBeGreaterThan(10 * 1024 * 1024);
    }, { timeout: 60_000, interval: 10 });
    const listed = (await a.api('/api/v1/datasets/big')).body;
    expect(listed.versions[0].status).toBe('uploading');
    await a.kill9();
    socket.destroy();
    expect(temps()).toHaveLength(1); // what a crash leaves behind

    const b = await start(data);
    expect(temps()).toEqual([]);
    expect((await b.api('/api/v1/datasets/big')).status).toBe(404);
    expect((await b.api('/api/v1/datasets')).body.items).toEqual([]);
    expect(b.logs(/recovery: removed 1 interrupted upload\(s\) \(version rows left "uploading"\) and 1 temp file\(s\)/)).toHaveLength(1);
  }, 180_000);
});
