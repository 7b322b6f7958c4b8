/** `sagebrush detection import|export|datasets` as a user runs them: a real process on a temp embedded store. */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeZip } from '../domains/datasets/formats/zip-write.ts';
import { extractZip } from '../domains/detection/datasets/unzip.ts';
import { readDetectionFolder } from '../domains/detection/formats/folder.ts';
import { METAL_TAGS, pngBytes } from '../domains/detection/formats/testing.ts';
import { createCliSandbox } from './testing.ts';

const { dir, cli, json, refused, cleanup } = createCliSandbox('detection');
afterAll(cleanup);

const HEADER = 'source_ref,image_width,image_height,image_depth,annotations,event_time,labeling_job,status\n';
let png: Buffer;
beforeAll(async () => {
  png = await pngBytes(40, 30);
});

function folder(name: string, labels: string): string {
  const root = join(dir, name);
  mkdirSync(join(root, 'images'), { recursive: true });
  writeFileSync(join(root, 'images/a.png'), png);
  writeFileSync(join(root, 'images/b.png'), png);
  writeFileSync(join(root, 'class_labels.json'), '{"labels":[{"label":"scratch"},{"label":"dent"}]}');
  writeFileSync(join(root, 'labels.csv'), HEADER + labels);
  return root;
}

describe('sagebrush detection (datasets)', () => {
  it('imports a folder, lists it, exports YOLO that reads back to the same boxes', async () => {
    const src = folder('parts', `images/a.png,40,30,3,"[{'class_id': 1, 'top': 2, 'left': 3, 'height': 10, 'width': 20}]",1657199072.0,job,APPROVED\n`);
    expect(await json(['detection', 'import', src])).toMatchObject({ name: 'parts', images: 2, labeled: 1, unlabeled: 1, boxes: 1, classes: ['scratch', 'dent'] });
    expect(await json(['detection', 'datasets'])).toEqual([expect.objectContaining({ name: 'parts', images: 2 })]);
    const out = join(dir, 'parts-yolo.zip');
    expect(await json(['detection', 'export', 'parts', '--format', 'yolo', '--out', out])).toMatchObject({ format: 'yolo', out });
    const { dir: back, cleanup: done } = await extractZip(out, 'parts-yolo.zip', 1e8);
    try {
      expect(existsSync(join(back, 'labels/a.txt'))).toBe(true);
      const set = await readDetectionFolder(back);
      expect(set.classes).toEqual(['scratch', 'dent']);
      expect(set.images.map((im) => [im.ref, im.boxes])).toEqual([['images/a.png', [{ classId: 1, x: 3, y: 2, w: 20, h: 10 }]]]);
    } finally {
      await done();
    }
    expect((await refused(['detection', 'export', 'parts', '--format', 'voc', '--out', out])).code).toBe('VALIDATION_FAILED');
    expect((await refused(['detection', 'export', 'nope', '--format', 'coco', '--out', out])).code).toBe('DETECTION_DATASET_NOT_FOUND');
  }, 120_000);

  it('refuses a folder whose symlink escapes it, and a zip with a box outside the image', async () => {
    const src = folder('linked', '');
    symlinkSync('/etc/hostname', join(src, 'images/c.png'));
    expect((await refused(['detection', 'import', src])).code).toBe('DETECTION_PATH_UNSAFE');
    const zip = join(dir, 'bad.zip');
    writeFileSync(zip, makeZip([{ name: 'images/a.png', data: png }, { name: 'labels.csv', data: HEADER + `images/a.png,40,30,3,"[{'class_id': 0, 'top': 25, 'left': 0, 'height': 10, 'width': 10}]",1,job,APPROVED\n` }]));
    const err = await refused(['detection', 'import', zip, '--name', 'bad']);
    expect(err).toMatchObject({ code: 'DETECTION_LABELS_INVALID', problems: [{ field: 'box 1' }] });
  }, 120_000);

  it.skipIf(!existsSync(join(METAL_TAGS, 'labels.csv')))('imports ../shared/data/metal-tags as laid out', async () => {
    const r = await cli(['detection', 'import', METAL_TAGS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Imported metal-tags (groundtruth-csv): 249 images, 235 labeled with 482 boxes, 14 unlabeled; classes scratch');
  }, 120_000);
});
