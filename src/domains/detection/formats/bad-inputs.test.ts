import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppError } from '../../../core/errors.ts';
import { readDetectionFolder } from './folder.ts';
import { pngBytes, tempFolder } from './testing.ts';

const HEADER = 'source_ref,image_width,image_height,image_depth,annotations,event_time,labeling_job,status\n';
const row = (ref: string, anns: string, w = 40, h = 30) => `${ref},${w},${h},3,"${anns}",1657199072.0,labeling-job/x,APPROVED\n`;
const box = (l: number, t: number, w: number, h: number, c = 0) => `{'class_id': ${c}, 'top': ${t}, 'left': ${l}, 'height': ${h}, 'width': ${w}}`;

let png: Buffer;
beforeAll(async () => {
  png = await pngBytes(40, 30);
});

async function fails(files: Record<string, string | Buffer>, setup?: (dir: string) => void): Promise<AppError> {
  const dir = tempFolder({ 'class_labels.json': '{"labels":[{"label":"scratch"}]}', ...files });
  setup?.(dir);
  return readDetectionFolder(dir).then(() => { throw new Error('expected readDetectionFolder to fail'); }, (err: AppError) => err);
}

describe('readDetectionFolder refuses bad rows, naming row, field and fix', () => {
  it('a box outside the image, a zero-area box and an unknown class: all three reported at once', async () => {
    const err3 = await fails({
      'images/a.png': png, 'images/b.png': png, 'images/c.png': png,
      'labels.csv': HEADER + row('images/a.png', `[${box(30, 5, 20, 10)}]`) + row('images/b.png', `[${box(1, 1, 0, 5)}]`) + row('images/c.png', `[${box(1, 1, 5, 5, 3)}]`),
    });
    expect(err3.code).toBe('DETECTION_LABELS_INVALID');
    expect(err3.message).toMatch(/row 2 .*outside the 40×30 image.*\(and 2 more problems\)/);
    const [outside, zero, unknown] = err3.problems!;
    expect(outside).toMatchObject({ row: 2, field: 'box 1' });
    expect(outside!.fix).toMatch(/left \+ width ≤ 40/);
    expect(zero).toMatchObject({ row: 3, field: 'box 1' });
    expect(zero!.problem).toMatch(/zero area/);
    expect(unknown).toMatchObject({ row: 4, field: 'box 1.class_id' });
    expect(unknown!.problem).toMatch(/class id 3 is not a known class \(1 classes: scratch\)/);
  });

  it('a row naming an image that is not in the folder', async () => {
    const err = await fails({ 'images/a.png': png, 'labels.csv': HEADER + row('s3://bucket/x/images/missing.png', '[]') });
    expect(err.code).toBe('DETECTION_LABELS_INVALID');
    expect(err.problems![0]).toMatchObject({ row: 2, field: 'labels.csv' });
    expect(err.problems![0]!.problem).toMatch(/"s3:\/\/bucket\/x\/images\/missing.png" is not in the folder/);
  });

  it('a file that is not an image (text named .jpg), and a truncated PNG', async () => {
    const err = await fails({ 'images/a.png': png, 'images/fake.jpg': 'hello, I am text', 'images/cut.png': png.subarray(0, 60), 'labels.csv': HEADER + row('images/a.png', '[]') });
    expect(err.code).toBe('DETECTION_IMAGE_UNREADABLE');
    const fields = err.problems!.map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['images/fake.jpg', 'images/cut.png']));
    expect(err.problems!.find((p) => p.field === 'images/fake.jpg')!.problem).toMatch(/not a JPEG, PNG or WebP image/);
  });

  it.each([
    ['a ".." path', '../outside.png', /"\.\.\/outside\.png" has a "\.\." segment/],
    ['an absolute path', '/etc/passwd', /"\/etc\/passwd" is an absolute path/],
    ['a file:// URI', 'file:///etc/hosts', /is an absolute path/],
    ['a ".." inside an s3 URI', 's3://b/images/../../etc/x.png', /has a "\.\." segment/],
  ])('a manifest row with %s is refused as outside its folder', async (_what, source, message) => {
    const manifest = JSON.stringify({ 'source-ref': source, box: { annotations: [], image_size: [{ width: 40, height: 30 }] }, 'box-metadata': { 'class-map': { 0: 'scratch' } } });
    const err = await fails({ 'images/a.png': png, 'output.manifest': `${manifest}\n` });
    expect(err.code).toBe('DETECTION_PATH_UNSAFE');
    expect(err.problems![0]).toMatchObject({ row: 1, field: 'output.manifest' });
    expect(err.problems![0]!.problem).toMatch(message);
  });

  it('a symbolic link escaping the folder is refused and never read', async () => {
    const outside = tempFolder({ 'secret.png': png });
    const err = await fails({ 'images/a.png': png, 'labels.csv': HEADER + row('images/link.png', '[]') }, (dir) => symlinkSync(join(outside, 'secret.png'), join(dir, 'images/link.png')));
    expect(err.code).toBe('DETECTION_PATH_UNSAFE');
    expect(err.problems!.map((p) => p.problem).join('\n')).toMatch(/images\/link.png is a symbolic link to .*outside the folder/);
  });

  it('a label size that is not the image size, and a bad annotations cell', async () => {
    const err = await fails({ 'images/a.png': png, 'images/b.png': png, 'labels.csv': HEADER + row('images/a.png', '[]', 450, 300) + row('images/b.png', 'not json') });
    expect(err.code).toBe('DETECTION_LABELS_INVALID');
    expect(err.problems!.map((p) => p.field)).toEqual(['annotations', 'image_size']);
  });

  it('YOLO: a malformed line, an out-of-range box and a label file without an image', async () => {
    const err = await fails({
      'images/a.png': png, 'images/b.png': png, 'dataset.yaml': 'names:\n  0: scratch\n',
      'labels/a.txt': '0 0.5 0.5 0.2\n', 'labels/b.txt': '0 0.95 0.5 0.2 0.2\n', 'labels/ghost.txt': '',
    });
    expect(err.code).toBe('DETECTION_LABELS_INVALID');
    const text = err.problems!.map((p) => `${p.field}: ${p.problem}`).join('\n');
    expect(text).toMatch(/labels\/a.txt: labels\/a.txt line 1: "0 0.5 0.5 0.2" is not "class cx cy w h"/);
    expect(text).toMatch(/labels\/ghost.txt has no image of the same name/);
    expect(text).toMatch(/labels\/b.txt row 1 \(images\/b.png\): the box .* lies outside the 40×30 image/);
  });

  it('COCO: an annotation whose category is not in categories', async () => {
    const coco = { images: [{ id: 1, file_name: 'images/a.png', width: 40, height: 30 }], annotations: [{ id: 1, image_id: 1, category_id: 9, bbox: [1, 1, 5, 5] }], categories: [{ id: 1, name: 'scratch' }] };
    const err = await fails({ 'images/a.png': png, 'coco.json': JSON.stringify(coco) });
    expect(err.code).toBe('DETECTION_LABELS_INVALID');
    expect(err.problems![0]).toMatchObject({ row: 1, field: 'annotations[0].category_id' });
  });

  it('an empty folder is no detection layout', async () => {
    const dir = tempFolder({});
    mkdirSync(join(dir, 'images'));
    writeFileSync(join(dir, 'notes.txt'), 'nothing here');
    await expect(readDetectionFolder(dir)).rejects.toMatchObject({ code: 'DETECTION_FORMAT_UNKNOWN' });
  });

  it('a folder of images only is a set of unlabeled images', async () => {
    const set = await readDetectionFolder(tempFolder({ 'class_labels.json': '{"labels":[{"label":"scratch"}]}', 'images/a.png': png }));
    expect(set).toMatchObject({ layout: 'images', classes: ['scratch'], images: [{ ref: 'images/a.png', width: 40, height: 30, boxes: null }] });
  });
});
