/**
 * The labeling service over the real database and the real feature store (the app's), with the detection datasets
 * port as a small in-memory stand-in (the route tests use the real datasets domain): jobs, assignment, saves as
 * feature records, verification by a second person, pre-label ordering, the inbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../datasets/testing/harness.ts';
import type { Detection } from '../detection/formats/types.ts';
import { resultSet } from './export.ts';
import { feedbackInbox } from './inbox.ts';
import { labelFeatures } from './labels.ts';
import type { DatasetImage, LabelingDatasetsPort } from './ports.ts';
import { createLabelingService, type LabelingService } from './service.ts';

function fakeDatasets(images: DatasetImage[]): LabelingDatasetsPort {
  return {
    classes: async () => ['scratch', 'dent'],
    // Like the datasets service: an image is labeled once it has any record in image_labels.
    images: async (dataset) => Promise.all(images.map(async (i) => ({ ...i, labeled: i.labeled || (await history(`${dataset}/${i.ref}`)).length > 0 }))),
    async addImages(_dataset, files) {
      return files.map((f) => {
        const img = { ref: `inbox/${f.name}`, width: 450, height: 300, labeled: false };
        images.push(img);
        return img;
      });
    },
    imageBytes: async (_d, ref) => ({ bytes: Buffer.from(ref), contentType: 'image/jpeg' }),
  };
}

const img = (ref: string, labeled = false): DatasetImage => ({ ref, width: 450, height: 300, labeled });
let t: TestApp;
let svc: LabelingService;
beforeAll(async () => {
  t = await createTestApp({}, { worker: false });
  svc = createLabelingService({ db: t.ctx.db, datasets: fakeDatasets([img('a.jpg'), img('b.jpg', true), img('c.jpg'), img('d.jpg'), img('e.jpg')]), features: labelFeatures(t.ctx.services.features) });
}, 60_000);
afterAll(async () => t?.close());

const history = async (image: string) => (await t.ctx.services.features.history('image_labels', image).catch(() => ({ items: [] }))).items;
const box = { classId: 0, x: 10, y: 20, w: 30, h: 40 };

describe('labeling service', () => {
  it('deals the unlabeled images round-robin (at most N), saves a PENDING record per image and counts progress per labeler', async () => {
    const job = await svc.createJob({ dataset: 'tags', limit: 3, labelers: ['alice', 'carol'] }, 'lead');
    expect(job).toMatchObject({ kind: 'label', total: 3, people: ['alice', 'carol'], createdBy: 'lead', classes: ['scratch', 'dent'] });
    const tasks = await svc.tasks(job.id);
    expect(tasks.map((x) => [x.ref, x.assignee])).toEqual([['a.jpg', 'alice'], ['c.jpg', 'carol'], ['d.jpg', 'alice']]);

    const saved = await svc.saveTask(job.id, 0, { boxes: [box] }, 'alice');
    expect(saved).toMatchObject({ status: 'done', outcome: 'PENDING', boxes: [box], doneBy: 'alice' });
    const rows = await history('tags/a.jpg');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.values).toMatchObject({ dataset: 'tags', ref: 'a.jpg', status: 'PENDING', labeler: 'alice', verifier: '', job: job.id, boxes: JSON.stringify([box]) });
    expect(rows[0]!.eventTime).toMatch(/^\d{4}-\d\d-\d\dT/);

    expect((await svc.getJob(job.id)).progress).toMatchObject({ done: 1, total: 3, byPerson: [{ name: 'alice', done: 1, total: 2 }, { name: 'carol', done: 0, total: 1 }], outcomes: { PENDING: 1 } });
    // A second job does not take the images the first one holds.
    const next = await svc.createJob({ dataset: 'tags' }, 'lead');
    expect((await svc.tasks(next.id)).map((x) => x.ref)).toEqual(['e.jpg']);
    await expect(svc.createJob({ dataset: 'tags' }, 'lead')).rejects.toMatchObject({ code: 'LABELING_JOB_INVALID', problems: [{ field: 'source' }] });
  });

  it('refuses bad boxes naming each field, and a save by someone else; nothing is stored', async () => {
    const job = (await svc.listJobs()).find((j) => j.total === 3)!;
    const bad = [{ classId: 5, x: 0, y: 0, w: 10, h: 10 }, { classId: 0, x: 5, y: 5, w: 0, h: 10 }, { classId: 1, x: 440, y: 0, w: 20, h: 10 }];
    const err = await svc.saveTask(job.id, 1, { boxes: bad }, 'carol').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LABELING_BOXES_INVALID' });
    expect((err as { problems: Array<{ field: string }> }).problems.map((p) => p.field)).toEqual(['boxes[0].classId', 'boxes[1].w', 'boxes[2].x']);
    await expect(svc.saveTask(job.id, 1, { boxes: [box] }, 'alice')).rejects.toMatchObject({ code: 'LABELING_NOT_ASSIGNED' });
    await expect(svc.saveTask(job.id, 1, { decision: 'approve' }, 'carol')).rejects.toMatchObject({ code: 'LABELING_TASK_INVALID' });
    expect(await history('tags/c.jpg')).toEqual([]);
    expect((await svc.task(job.id, 1)).status).toBe('todo');
  });

  it('verification: a second person approves, adjusts or rejects; the labeler cannot verify', async () => {
    const job = (await svc.listJobs()).find((j) => j.total === 3)!;
    await svc.saveTask(job.id, 1, { boxes: [] }, 'carol');
    await svc.saveTask(job.id, 2, { boxes: [box, { ...box, classId: 1, x: 100 }] }, 'alice');
    await expect(svc.createVerification(job.id, { verifiers: ['alice'] }, 'lead')).rejects.toMatchObject({ code: 'LABELING_VERIFIER_IS_LABELER' });
    const v = await svc.createVerification(job.id, { verifiers: ['alice', 'bob'] }, 'lead');
    const tasks = await svc.tasks(v.id);
    // alice's images go to bob; carol's to the next verifier in turn.
    expect(tasks.map((x) => [x.ref, x.labeler, x.assignee])).toEqual([['a.jpg', 'alice', 'bob'], ['c.jpg', 'carol', 'alice'], ['d.jpg', 'alice', 'bob']]);
    await expect(svc.saveTask(v.id, 0, { decision: 'approve' }, 'alice')).rejects.toMatchObject({ code: 'LABELING_VERIFIER_IS_LABELER' });
    await expect(svc.saveTask(job.id, 0, { boxes: [] }, 'alice')).rejects.toMatchObject({ code: 'LABELING_TASK_LOCKED' });

    await svc.saveTask(v.id, 0, { decision: 'approve' }, 'bob');
    await svc.saveTask(v.id, 1, { decision: 'reject' }, 'alice');
    const adjusted = { classId: 1, x: 0, y: 0, w: 450, h: 300 };
    await svc.saveTask(v.id, 2, { decision: 'adjust', boxes: [adjusted] }, 'bob');
    const a = await history('tags/a.jpg');
    expect(a.map((r) => [r.values.status, r.values.labeler, r.values.verifier])).toEqual([['PENDING', 'alice', ''], ['APPROVED', 'alice', 'bob']]);
    expect(a[1]!.values.boxes).toBe(JSON.stringify([box]));
    expect((await history('tags/c.jpg')).at(-1)!.values).toMatchObject({ status: 'REJECTED', verifier: 'alice', labeler: 'carol' });
    expect((await history('tags/d.jpg')).at(-1)!.values).toMatchObject({ status: 'APPROVED', boxes: JSON.stringify([adjusted]), job: v.id });
    // The training set's view: the latest approved row per image.
    const latest = await t.ctx.services.features.latest('image_labels', { where: { status: 'APPROVED' } });
    expect(latest.items.map((r: { recordId: string }) => r.recordId).sort()).toEqual(['tags/a.jpg', 'tags/d.jpg']);

    expect((await svc.getJob(v.id)).progress.outcomes).toEqual({ PENDING: 0, APPROVED: 2, REJECTED: 1 });
    expect(resultSet(await svc.getJob(v.id), await svc.tasks(v.id)).images.map((i) => [i.ref, i.boxes?.length])).toEqual([['a.jpg', 1], ['d.jpg', 1]]);
    const coco = JSON.parse((await svc.exportJob(v.id, 'coco')).body.toString()) as { images: Array<{ file_name: string }>; annotations: unknown[] };
    expect([coco.images.map((i) => i.file_name).sort(), coco.annotations.length]).toEqual([['a.jpg', 'd.jpg'], 2]);
    const yolo = await svc.exportJob(v.id, 'yolo');
    expect([yolo.contentType, yolo.body.subarray(0, 2).toString()]).toEqual(['application/zip', 'PK']);
    expect((await svc.exportJob(job.id, 'groundtruth')).body.toString().trim().split('\n')).toHaveLength(3);
    // The rejected image goes back for labeling; the approved ones and the one another job holds do not.
    const again = await svc.createJob({ dataset: 'tags' }, 'lead');
    expect((await svc.tasks(again.id)).map((x) => x.ref)).toEqual(['c.jpg']);
    await expect(svc.createVerification(job.id, {}, 'bob')).rejects.toMatchObject({ code: 'LABELING_JOB_INVALID', problems: [{ field: 'job' }] });
  });

  it('pre-labels from the detector order the tasks most uncertain first; the inbox feeds a job once', async () => {
    const images = [img('p1.jpg'), img('p2.jpg'), img('p3.jpg')];
    const scores: Record<string, Detection[]> = {
      'p1.jpg': [{ classId: 0, score: 0.95, x1: 10, y1: 10, x2: 50, y2: 60 }],
      'p2.jpg': [],
      'p3.jpg': [{ classId: 0, score: 0.4, x1: -5, y1: 10, x2: 500, y2: 60 }],
    };
    const datasets = fakeDatasets(images);
    const pre = createLabelingService({
      db: t.ctx.db, datasets, features: labelFeatures(t.ctx.services.features),
      prelabeler: { current: async () => ({ model: 'detector:1', predict: async (bytes) => scores[bytes.toString()] ?? [] }) },
    });
    const job = await pre.createJob({ dataset: 'pre' }, 'alice');
    expect(job.prelabelModel).toBe('detector:1');
    const tasks = await pre.tasks(job.id);
    expect(tasks.map((x) => [x.ref, x.uncertainty])).toEqual([['p2.jpg', 1], ['p3.jpg', 0.6], ['p1.jpg', expect.closeTo(0.05, 6)]]);
    expect(tasks[1]!.inputBoxes).toEqual([{ classId: 0, x: 0, y: 10, w: 450, h: 50, score: 0.4 }]);

    await expect(pre.inbox.add({ dataset: 'pre', source: '', image: Buffer.from('x') })).rejects.toMatchObject({ code: 'LABELING_INBOX_INVALID' });
    const item = await pre.inbox.add({ dataset: 'pre', source: 'line-1/cam-2', image: Buffer.from('x'), fileName: 'f1.jpg', meta: { maxScore: 0.3 } });
    expect(item).toMatchObject({ ref: 'inbox/f1.jpg', source: 'line-1/cam-2', jobId: null });
    // The edge retries a hand-off with the same id: one image, not two.
    const first = await pre.inbox.add({ dataset: 'pre', source: 'line-1/cam-2', image: Buffer.from('y'), fileName: 'f2.jpg', id: 'fb-1' });
    expect(await pre.inbox.add({ dataset: 'pre', source: 'line-1/cam-2', image: Buffer.from('y'), fileName: 'f2.jpg', id: 'fb-1' })).toEqual(first);
    expect(images.filter((i) => i.ref === 'inbox/f2.jpg')).toHaveLength(1);
    const fromInbox = await pre.createJob({ dataset: 'pre', source: 'inbox' }, 'alice');
    expect((await pre.tasks(fromInbox.id)).map((x) => x.ref)).toEqual(['inbox/f1.jpg', 'inbox/f2.jpg']);
    expect((await pre.inbox.list({ dataset: 'pre' }))[0]!.jobId).toBe(fromInbox.id);
    await expect(pre.createJob({ dataset: 'pre', source: 'inbox' }, 'alice')).rejects.toMatchObject({ code: 'LABELING_JOB_INVALID' });

    // The edge's feedback upload through its port: source fleet/device, the device's file name, the feedback id.
    const edge = feedbackInbox(pre.inbox);
    const fb = { id: 'fb-9', fleet: 'line-1', device: 'cam-3', dataset: 'pre', image: 'incoming/low-17.jpg', bytes: Buffer.from('z'), maxScore: 0.41, modelId: 'mdl_1', capturedAt: '2026-12-06T10:00:00Z' };
    const handed = await edge.add(fb);
    expect(handed).toMatchObject({ ref: 'inbox/low-17.jpg', source: 'line-1/cam-3', meta: { maxScore: 0.41, modelId: 'mdl_1', capturedAt: '2026-12-06T10:00:00Z' } });
    expect((await edge.add(fb)).ref).toBe(handed.ref);
    expect((await pre.inbox.list({ dataset: 'pre', open: true })).map((i) => i.ref)).toEqual(['inbox/low-17.jpg']);
  });

  it('two jobs made at once over one inbox: one takes the images, the other is CONFLICT and stores nothing', async () => {
    let arrived = 0;
    let release!: () => void;
    const both = new Promise<void>((r) => (release = r));
    // Both calls have read the open inbox before either stores its job (the pre-labeler is asked in between).
    const race = createLabelingService({
      db: t.ctx.db, datasets: fakeDatasets([]), features: labelFeatures(t.ctx.services.features),
      prelabeler: { current: async () => ((++arrived === 2 && release(), await both), null) },
    });
    await race.inbox.add({ dataset: 'race', source: 'line-1/cam-1', image: Buffer.from('r'), fileName: 'r1.jpg' });
    const results = await Promise.allSettled([race.createJob({ dataset: 'race', source: 'inbox' }, 'lead'), race.createJob({ dataset: 'race', source: 'inbox' }, 'lead')]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT', problems: [expect.objectContaining({ field: 'source', fix: expect.any(String) })] } });
    expect(await t.ctx.db.selectFrom('labeling_jobs').select('id').where('dataset', '=', 'race').execute()).toHaveLength(1);
  });
});
