/**
 * /api/v1/labeling through the real app (named API tokens alice, bob; a real detection dataset imported by the
 * detection datasets service): jobs, saves as feature-store records, bad boxes named by field with nothing stored,
 * a verifier equal to the labeler refused, approval by a second person, export, the image, the inbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../datasets/testing/harness.ts';
import { pngBytes, tempFolder } from '../detection/formats/testing.ts';
import { buildFixtureDetector } from '../edge/testing/detectorFixture.ts';
import { grayImage } from '../edge/testing/fixtures.ts';

const TOKENS = { alice: 'alice-token-0123456789', bob: 'bob-token-0123456789ab' };
let t: TestApp;
let folder = '';

beforeAll(async () => {
  t = await createTestApp({ apiTokens: Object.entries(TOKENS).map(([n, k]) => `${n}:${k}`) }, { worker: false });
  const png = await pngBytes(200, 100);
  folder = tempFolder({ 'images/a.png': png, 'images/b.png': png, 'images/c.png': png, 'class_labels.json': JSON.stringify({ labels: [{ label: 'scratch' }, { label: 'dent' }] }) });
  await t.ctx.services.detectionDatasets.importFolder(folder, { name: 'parts' });
}, 120_000);
afterAll(async () => t?.close());

const call = (who: keyof typeof TOKENS | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: who ? { authorization: `Bearer ${TOKENS[who]}` } : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
const history = async (image: string) => (await call('alice', 'GET', `/feature-groups/image_labels/records/${encodeURIComponent(image)}/history`)).json().items ?? [];

describe('/api/v1/labeling', () => {
  let job = '';

  it('makes a labeling job over the unlabeled images for the caller; needs a token', async () => {
    expect((await call(null, 'GET', '/labeling/jobs')).statusCode).toBe(401);
    expect((await call('bob', 'GET', '/labeling/me')).json()).toEqual({ principal: 'bob' });
    const res = await call('alice', 'POST', '/labeling/jobs', { dataset: 'parts', limit: 2 });
    expect(res.statusCode).toBe(201);
    job = res.json().id;
    expect(res.json()).toMatchObject({ kind: 'label', total: 2, people: ['alice'], createdBy: 'alice', classes: ['scratch', 'dent'], progress: { done: 0, total: 2 } });
    const tasks = (await call('alice', 'GET', `/labeling/jobs/${job}/tasks`)).json().items;
    expect(tasks.map((x: { ref: string; width: number; assignee: string }) => [x.ref, x.width, x.assignee])).toEqual([['images/a.png', 200, 'alice'], ['images/b.png', 200, 'alice']]);
    const img = await call('alice', 'GET', `/labeling/jobs/${job}/tasks/0/image`);
    expect([img.statusCode, img.headers['content-type'], img.rawPayload.subarray(1, 4).toString()]).toEqual([200, 'image/png', 'PNG']);
    expect((await call('alice', 'POST', '/labeling/jobs', { dataset: 'nope' })).statusCode).toBe(404);
  });

  it('refuses boxes outside the image, of zero area or of an unknown class, naming each field with its fix; nothing is stored', async () => {
    const res = await call('alice', 'PUT', `/labeling/jobs/${job}/tasks/0`, { boxes: [{ classId: 0, x: 150, y: 10, w: 60, h: 20 }, { classId: 1, x: 10, y: 10, w: 20, h: 0 }, { classId: 7, x: 1, y: 1, w: 5, h: 5 }] });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('LABELING_BOXES_INVALID');
    expect(body.problems).toEqual([
      { field: 'boxes[0].x', problem: 'outside the image (x + w = 210 > image width 200)', fix: 'Keep the box inside the 200×100 image.' },
      { field: 'boxes[1].h', problem: 'zero area (w 20, h 0)', fix: expect.stringContaining('at least one pixel') },
      { field: 'boxes[2].classId', problem: 'unknown class 7', fix: 'Use a class id from 0 to 1 (0 = scratch, 1 = dent).' },
    ]);
    expect(await history('parts/images/a.png')).toEqual([]);
    expect((await call('alice', 'GET', `/labeling/jobs/${job}/tasks/0`)).json()).toMatchObject({ status: 'todo', outcome: null, boxes: null });
    expect((await call('bob', 'PUT', `/labeling/jobs/${job}/tasks/0`, { boxes: [] })).json()).toMatchObject({ code: 'LABELING_NOT_ASSIGNED' });
  });

  it('saves (PENDING), refuses a verifier equal to the labeler, and records the approval of a second person', async () => {
    const box = { classId: 1, x: 10, y: 20, w: 30, h: 40 };
    const saved = await call('alice', 'PUT', `/labeling/jobs/${job}/tasks/0`, { boxes: [box, { ...box, classId: 0, x: 100 }] });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ status: 'done', outcome: 'PENDING', doneBy: 'alice' });

    const same = await call('alice', 'POST', `/labeling/jobs/${job}/verification`, { verifiers: ['alice'] });
    expect(same.statusCode).toBe(403);
    expect(same.json()).toMatchObject({ code: 'LABELING_VERIFIER_IS_LABELER', problems: [{ field: 'verifiers', fix: expect.stringContaining('other than the labeler') }] });
    const v = await call('alice', 'POST', `/labeling/jobs/${job}/verification`, { verifiers: ['alice', 'bob'] });
    expect(v.statusCode).toBe(201);
    const vid = v.json().id;
    expect(v.json()).toMatchObject({ kind: 'verify', parentJobId: job, total: 1, progress: { byPerson: [{ name: 'alice', total: 0 }, { name: 'bob', total: 1 }] } });
    const refused = await call('alice', 'PUT', `/labeling/jobs/${vid}/tasks/0`, { decision: 'approve' });
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'LABELING_VERIFIER_IS_LABELER']);
    expect((await call('bob', 'PUT', `/labeling/jobs/${vid}/tasks/0`, { decision: 'approve', boxes: [] })).json()).toMatchObject({ code: 'LABELING_TASK_INVALID', problems: [{ field: 'boxes' }] });
    expect((await history('parts/images/a.png')).map((r: { values: { status: string } }) => r.values.status)).toEqual(['PENDING']);

    const ok = await call('bob', 'PUT', `/labeling/jobs/${vid}/tasks/0`, { decision: 'approve' });
    expect(ok.json()).toMatchObject({ outcome: 'APPROVED', doneBy: 'bob' });
    const rows = (await call('bob', 'GET', `/labeling/jobs/${vid}/tasks/0/history`)).json();
    expect(rows.image).toBe('parts/images/a.png');
    expect(rows.items.map((r: { values: Record<string, string> }) => [r.values.status, r.values.labeler, r.values.verifier, r.values.job])).toEqual([['PENDING', 'alice', '', job], ['APPROVED', 'alice', 'bob', vid]]);
    expect((await call('bob', 'GET', `/labeling/jobs/${vid}`)).json().progress).toMatchObject({ done: 1, total: 1, outcomes: { APPROVED: 1 } });

    const coco = await call('bob', 'GET', `/labeling/jobs/${vid}/export?format=coco`);
    expect(coco.headers['content-disposition']).toContain('annotations.json');
    expect(coco.json().annotations).toHaveLength(2);
    expect((await call('bob', 'GET', `/labeling/jobs/${vid}/export?format=pascal`)).statusCode).toBe(400);
  });

  it('the inbox: an edge image added unlabeled is taken by the next job "from inbox", once', async () => {
    const item = await t.ctx.services.labeling.inbox.add({ dataset: 'parts', source: 'line-1/cam-1', image: await pngBytes(64, 48), fileName: 'low.png', id: 'fb-1', meta: { maxScore: 0.2 } });
    expect((await call('alice', 'GET', '/labeling/inbox?dataset=parts&open=true')).json().items.map((i: { ref: string }) => i.ref)).toEqual([item.ref]);
    // A job over the unlabeled images leaves the open inbox image to the inbox job.
    const plain = await call('alice', 'POST', '/labeling/jobs', { dataset: 'parts' });
    expect((await call('alice', 'GET', `/labeling/jobs/${plain.json().id}/tasks`)).json().items.map((x: { ref: string }) => x.ref)).toEqual(['images/c.png']);
    const res = await call('alice', 'POST', '/labeling/jobs', { dataset: 'parts', source: 'inbox', labelers: ['bob'] });
    expect(res.statusCode).toBe(201);
    expect((await call('bob', 'GET', `/labeling/jobs/${res.json().id}/tasks`)).json().items).toMatchObject([{ ref: item.ref, width: 64, height: 48, assignee: 'bob' }]);
    const again = await call('alice', 'POST', '/labeling/jobs', { dataset: 'parts', source: 'inbox' });
    expect([again.statusCode, again.json().code, again.json().problems[0].field]).toEqual([400, 'LABELING_JOB_INVALID', 'source']);
  });
});

describe('pre-labels from the current approved detector (active learning)', () => {
  it('orders a new job most uncertain first, with the detector\'s boxes; none before the detector is approved', async () => {
    // The fixture detector's one box is the whole image, scored by brightness: dark = least sure.
    const levels: Record<string, number> = { 'images/mid.png': 128, 'images/bright.png': 230, 'images/dark.png': 30, 'images/dim.png': 90 };
    const files: Record<string, Buffer> = { 'class_labels.json': Buffer.from(JSON.stringify({ labels: [{ label: 'scratch' }] })) };
    for (const [ref, level] of Object.entries(levels)) files[ref] = await grayImage(level, 60, 40);
    await t.ctx.services.detectionDatasets.importFolder(tempFolder(files), { name: 'lit' });
    const model = await t.ctx.services.models.create({ name: 'scratch-detector', kind: 'detector', params: {} });
    const key = `models/${model.id}/model.onnx`;
    await t.ctx.artifacts.put(key, Buffer.from(await buildFixtureDetector()));
    await t.ctx.services.models.markReady(model.id, { metrics: {}, artifacts: { 'model.onnx': key }, meta: { classes: ['scratch'] } });

    const before = await call('alice', 'POST', '/labeling/jobs', { dataset: 'lit', limit: 1 });
    expect(before.json()).toMatchObject({ prelabelModel: null });
    expect((await call('alice', 'GET', `/labeling/jobs/${before.json().id}/tasks`)).json().items).toMatchObject([{ ref: 'images/bright.png', inputBoxes: null, uncertainty: null }]);

    expect((await call('alice', 'PUT', '/models/scratch-detector/versions/1/approval', { status: 'Approved' })).statusCode).toBe(200);
    const job = await call('alice', 'POST', '/labeling/jobs', { dataset: 'lit' });
    expect(job.json()).toMatchObject({ prelabelModel: 'scratch-detector:1', total: 3 });
    const tasks = (await call('alice', 'GET', `/labeling/jobs/${job.json().id}/tasks`)).json().items as Array<{ ref: string; uncertainty: number; inputBoxes: unknown[] }>;
    // dark (30/255 = 0.12 < the 0.25 minimum score: no box, uncertainty 1), then dim (90), then mid (128).
    expect(tasks.map((x) => [x.ref, Math.round(x.uncertainty * 100) / 100])).toEqual([['images/dark.png', 1], ['images/dim.png', 0.65], ['images/mid.png', 0.5]]);
    expect(tasks[0]!.inputBoxes).toEqual([]);
    expect(tasks[2]!.inputBoxes).toEqual([{ classId: 0, x: 0, y: 0, w: 60, h: 40, score: expect.closeTo(0.502, 2) }]);
  });
});
