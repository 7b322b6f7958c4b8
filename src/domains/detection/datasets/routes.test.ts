import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, HAS_SHARED_DATA, multipart, type TestApp } from '../../datasets/testing/harness.ts';
import { makeZip, type ZipEntryInput } from '../../datasets/formats/zip-write.ts';
import { readDetectionFolder } from '../formats/folder.ts';
import { METAL_TAGS, pngBytes, tempFolder } from '../formats/testing.ts';
import type { DetectionSet } from '../formats/types.ts';
import { extractZip } from './unzip.ts';

let t: TestApp;
let png: Buffer;
beforeAll(async () => {
  t = await createTestApp({ workerMode: 'inline' });
  png = await pngBytes(40, 30);
}, 120_000);
afterAll(async () => t.close());

const get = (url: string) => t.app.inject({ method: 'GET', url: `/api/v1/detection/datasets${url}` });
async function post(url: string, parts: Parameters<typeof multipart>[0]) {
  const { payload, headers } = await multipart(parts);
  return t.app.inject({ method: 'POST', url: `/api/v1/detection/datasets${url}`, payload, headers });
}
const importZip = (name: string, entries: ZipEntryInput[]) => post('', [{ name: 'name', value: name }, { name: 'file', fileName: `${name}.zip`, content: makeZip(entries) }]);

function folderEntries(dir: string): ZipEntryInput[] {
  const out: ZipEntryInput[] = [];
  const walk = (d: string) => readdirSync(d).forEach((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : out.push({ name: relative(dir, join(d, n)), data: readFileSync(join(d, n)), method: 0 })));
  walk(dir);
  return out;
}
const HEADER = 'source_ref,image_width,image_height,image_depth,annotations,event_time,labeling_job,status\n';

describe.skipIf(!HAS_SHARED_DATA)('/api/v1/detection/datasets with metal-tags', () => {
  const A = 'images/bad/image-2020-04-22-11-07-29-26-cropped-left-top.jpg';
  let training: DetectionSet;

  it('imports the sample as a zip upload: 249 images, 235 labeled (482 boxes), 14 unlabeled', async () => {
    const entries = folderEntries(METAL_TAGS).filter((e) => !e.name.startsWith('labels_yolo/') && e.name !== 'dataset.yaml').map((e) => ({ ...e, name: `metal-tags/${e.name}` }));
    const res = await importZip('tags', entries);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ name: 'tags', classes: ['scratch'], images: 249, labeled: 235, unlabeled: 14, boxes: 482, layout: 'groundtruth-csv' });
    expect((await get('')).json().items).toEqual([expect.objectContaining({ name: 'tags', images: 249, classes: ['scratch'] })]);
    expect((await importZip('tags', entries.slice(0, 3))).json()).toMatchObject({ code: 'ALREADY_EXISTS' });
  }, 120_000);

  it('pages through images with their latest label, serves image bytes with their content type', async () => {
    const first = (await get('/tags/images?limit=100')).json();
    expect(first.items).toHaveLength(100);
    const second = (await get(`/tags/images?limit=200&cursor=${first.nextCursor}`)).json();
    expect(second.items).toHaveLength(149);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items];
    expect(all.filter((im: { label: unknown }) => im.label === null)).toHaveLength(14);
    expect(all.find((im: { ref: string }) => im.ref === A)).toMatchObject({ width: 450, height: 300, contentType: 'image/jpeg', source: 'import', label: { status: 'APPROVED', labeler: 'import', job: 'import', eventTime: '2022-07-07T13:04:32.000Z', boxes: [{ classId: 0, x: 81, y: 123, w: 82, h: 97 }, { classId: 0, x: 180, y: 119, w: 72, h: 70 }, { classId: 0, x: 286, y: 79, w: 52, h: 82 }] } });
    const img = await get(`/tags/image?ref=${encodeURIComponent(A)}`);
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/jpeg');
    expect(img.rawPayload.equals(readFileSync(join(METAL_TAGS, A)))).toBe(true);
    expect((await get('/tags/image?ref=images/nope.jpg')).json()).toMatchObject({ code: 'DETECTION_DATASET_NOT_FOUND', status: 404 });
    expect((await get('/tags/images?cursor=not-ours!')).json()).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('the training set is the latest APPROVED label per image: a later REJECTED label does not replace it, a later APPROVED one does', async () => {
    training = (await get('/tags/training-set')).json();
    expect(training.images).toHaveLength(235);
    expect(training.images.reduce((n, im) => n + im.boxes!.length, 0)).toBe(482);
    const features = t.ctx.services.features;
    const rec = (status: string, boxes: unknown[], time: string) => ({ image: `tags/${A}`, event_time: time, dataset: 'tags', ref: A, boxes: JSON.stringify(boxes), status, labeler: 'ann', verifier: 'bob', job: 'lj_1' });
    await features.ingest('image_labels', rec('REJECTED', [], '2024-01-01T00:00:00Z'));
    let set = (await get('/tags/training-set')).json() as DetectionSet;
    expect(set.images.find((im) => im.ref === A)!.boxes).toHaveLength(3);
    const list = (await get('/tags/images?limit=500')).json();
    expect(list.items.find((im: { ref: string }) => im.ref === A).label).toMatchObject({ status: 'REJECTED', labeler: 'ann', verifier: 'bob' }); // the latest label, any status
    await features.ingest('image_labels', rec('APPROVED', [{ classId: 0, x: 1, y: 2, w: 3, h: 4 }], '2024-02-01T00:00:00Z'));
    set = (await get('/tags/training-set')).json() as DetectionSet;
    expect(set.images.find((im) => im.ref === A)!.boxes).toEqual([{ classId: 0, x: 1, y: 2, w: 3, h: 4 }]);
    training = set;
  });

  it('exports the training set as a zip that reads back to the same boxes (COCO)', async () => {
    const res = await get('/tags/export?format=coco');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toContain('tags-coco.zip');
    const dir = tempFolder({});
    writeFileSync(join(dir, 'out.zip'), res.rawPayload);
    const { dir: folder, cleanup } = await extractZip(join(dir, 'out.zip'), 'out.zip', 1e9);
    try {
      const back = await readDetectionFolder(folder);
      expect(back.layout).toBe('coco');
      expect(back.images.map(({ ref, width, height, boxes }) => ({ ref, width, height, boxes }))).toEqual(training.images);
    } finally {
      await cleanup();
    }
    expect((await get('/tags/export?format=voc')).statusCode).toBe(400);
  }, 60_000);
});

describe('/api/v1/detection/datasets refuses bad uploads; nothing is stored', () => {
  const labels = (anns: string) => HEADER + `images/a.png,40,30,3,"${anns}",1657199072.0,job,APPROVED\n`;

  it('a zip-slip entry (../) is ARCHIVE_UNSAFE', async () => {
    const res = await importZip('slip', [{ name: 'images/a.png', data: png }, { name: '../evil.png', data: png }]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'ARCHIVE_UNSAFE' });
    expect(res.json().problems[0].field).toBe('../evil.png');
    expect((await get('/slip')).json()).toMatchObject({ code: 'DETECTION_DATASET_NOT_FOUND' });
  });

  it('a symlink entry is ARCHIVE_UNSAFE', async () => {
    expect((await importZip('link', [{ name: 'images/a.png', data: '/etc/passwd', symlink: true }])).json()).toMatchObject({ code: 'ARCHIVE_UNSAFE' });
  });

  it('a box outside the image is DETECTION_LABELS_INVALID naming row and fix', async () => {
    const res = await importZip('outside', [{ name: 'images/a.png', data: png }, { name: 'labels.csv', data: labels("[{'class_id': 0, 'top': 20, 'left': 30, 'height': 20, 'width': 20}]") }]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'DETECTION_LABELS_INVALID', problems: [{ row: 2, field: 'box 1' }] });
    expect((await get('')).json().items.map((d: { name: string }) => d.name)).not.toContain('outside');
  });

  it('a manifest naming a path outside its folder is DETECTION_PATH_UNSAFE; an image that is not one is DETECTION_IMAGE_UNREADABLE', async () => {
    const line = JSON.stringify({ 'source-ref': '../../etc/passwd', l: { annotations: [] }, 'l-metadata': {} });
    expect((await importZip('escape', [{ name: 'images/a.png', data: png }, { name: 'out.manifest', data: line }])).json()).toMatchObject({ code: 'DETECTION_PATH_UNSAFE' });
    expect((await importZip('fake', [{ name: 'images/a.png', data: 'not a png' }, { name: 'labels.csv', data: labels('[]') }])).json()).toMatchObject({ code: 'DETECTION_IMAGE_UNREADABLE', problems: [{ field: 'images/a.png' }] });
  });

  it('adds images unlabeled: same bytes keep their ref, other bytes under the name get a suffix, a non-image is refused', async () => {
    expect((await importZip('small', [{ name: 'images/a.png', data: png }, { name: 'labels.csv', data: labels('[]') }])).statusCode).toBe(201);
    const add = (content: Buffer | string, fileName = 'cam 1.png') => post('/small/images', [{ name: 'source', value: 'feedback' }, { name: 'file', fileName, content }]);
    const first = await add(png);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ items: [{ ref: 'feedback/cam_1.png', width: 40, height: 30 }] });
    expect((await add(png)).json().items[0].ref).toBe('feedback/cam_1.png');
    const other = await pngBytes(20, 10);
    expect((await add(other)).json().items[0].ref).toMatch(/^feedback\/cam_1-[0-9a-f]{8}\.png$/);
    const bad = await add('hello', 'x.jpg');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'DETECTION_IMAGE_UNREADABLE', problems: [{ field: 'x.jpg' }] });
    const page = (await get('/small/images')).json();
    expect(page.items.map((im: { ref: string; label: unknown }) => [im.ref, im.label === null])).toEqual([['feedback/cam_1-' + page.items[0].ref.slice(15, 23) + '.png', true], ['feedback/cam_1.png', true], ['images/a.png', false]]);
    expect((await get('/small/training-set')).json()).toEqual({ classes: [], images: [{ ref: 'images/a.png', width: 40, height: 30, boxes: [] }] });
    // the labeling port: every image with whether it has any label record; bytes by ref
    const svc = t.ctx.services.detectionDatasets;
    expect((await svc.images('small')).map((im) => [im.ref, im.labeled])).toEqual(page.items.map((im: { ref: string; label: unknown }) => [im.ref, im.label !== null]));
    expect((await svc.readImage('small', 'feedback/cam_1.png')).equals(png)).toBe(true);
    await expect(svc.classes('nope')).rejects.toMatchObject({ code: 'DETECTION_DATASET_NOT_FOUND' });
  });
});
