import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDetectionFolder, type DetectionFolder } from './folder.ts';
import { METAL_TAGS, pngBytes, tempFolder } from './testing.ts';
import type { DetectionSet } from './types.ts';
import { writeDetectionSet, DETECTION_EXPORT_FORMATS } from './write.ts';

const HAS_DATA = existsSync(join(METAL_TAGS, 'labels.csv'));
const boxesByRef = (s: DetectionSet) => Object.fromEntries(s.images.map((im) => [im.ref, im.boxes]));

describe.skipIf(!HAS_DATA)('readDetectionFolder on ../shared/data/metal-tags', () => {
  let set: DetectionFolder;
  it('reads labels.csv: 249 images, 235 labeled with 482 boxes, 14 unlabeled (null, not negatives)', async () => {
    set = await readDetectionFolder(METAL_TAGS);
    expect(set.layout).toBe('groundtruth-csv');
    expect(set.classes).toEqual(['scratch']);
    expect(set.images).toHaveLength(249);
    const labeled = set.images.filter((im) => im.boxes !== null);
    expect(labeled).toHaveLength(235);
    expect(labeled.reduce((n, im) => n + im.boxes!.length, 0)).toBe(482);
    expect(set.images.filter((im) => im.boxes === null).every((im) => im.ref.startsWith('images/bad/'))).toBe(true);
    const good = set.images.filter((im) => im.ref.startsWith('images/good/'));
    expect(good.map((im) => im.boxes!.length).sort()).toEqual([0, 0, 0, 0, 0, 1, 2]); // PROVENANCE: 5 empty, 2 with boxes (2 and 1)
    // the first row of labels.csv, read from its s3:// source_ref
    const first = set.images.find((im) => im.ref === 'images/bad/image-2020-04-22-11-07-29-26-cropped-left-top.jpg')!;
    expect(first).toMatchObject({ width: 450, height: 300, status: 'APPROVED', eventTime: 1657199072000, job: 'labeling-job/quality-inspection-labeling-job-11f5e1' });
    expect(first.boxes).toEqual([{ classId: 0, x: 81, y: 123, w: 82, h: 97 }, { classId: 0, x: 180, y: 119, w: 72, h: 70 }, { classId: 0, x: 286, y: 79, w: 52, h: 82 }]);
  }, 60_000);

  it('reads the derived YOLO labels (labels_yolo/ + dataset.yaml) to the same boxes', async () => {
    const dir = tempFolder({});
    cpSync(join(METAL_TAGS, 'images'), join(dir, 'images'), { recursive: true });
    cpSync(join(METAL_TAGS, 'labels_yolo'), join(dir, 'labels_yolo'), { recursive: true });
    cpSync(join(METAL_TAGS, 'dataset.yaml'), join(dir, 'dataset.yaml'));
    const yolo = await readDetectionFolder(dir);
    expect(yolo.layout).toBe('yolo');
    expect(yolo.classes).toEqual(['scratch']);
    const want = boxesByRef(set);
    const got = boxesByRef(yolo);
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const [ref, boxes] of Object.entries(want)) {
      expect(got[ref]?.length ?? null, ref).toBe(boxes?.length ?? null);
      boxes?.forEach((b, i) => (['x', 'y', 'w', 'h'] as const).forEach((k) => expect(Math.abs(got[ref]![i]![k] - b[k])).toBeLessThan(0.01)));
    }
  }, 60_000);

  it.each(DETECTION_EXPORT_FORMATS)('round-trips through %s: identical boxes, unlabeled images stay unlabeled', async (format) => {
    // a subset keeps it quick: unlabeled, empty and multi-box images
    const pick = [...set.images.filter((im) => im.boxes === null).slice(0, 4), ...set.images.filter((im) => im.boxes?.length === 0).slice(0, 3), ...set.images.filter((im) => (im.boxes?.length ?? 0) > 1).slice(0, 20)];
    const subset: DetectionSet = { classes: set.classes, images: pick };
    const dir = tempFolder({});
    for (const im of pick) {
      mkdirSync(join(dir, im.ref, '..'), { recursive: true });
      cpSync(join(METAL_TAGS, im.ref), join(dir, im.ref));
    }
    for (const [name, body] of writeDetectionSet(subset, format)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), body);
    }
    const back = await readDetectionFolder(dir);
    expect(back.layout).toBe({ groundtruth: 'groundtruth-manifest', yolo: 'yolo', coco: 'coco' }[format]);
    expect(back.classes).toEqual(['scratch']);
    expect(boxesByRef(back)).toEqual(boxesByRef(subset));
  }, 60_000);
});

describe('readDetectionFolder: fractional boxes and several classes round-trip exactly', () => {
  it.each(DETECTION_EXPORT_FORMATS)('%s', async (format) => {
    const set: DetectionSet = {
      classes: ['scratch', 'dent', 'stain'],
      images: [
        { ref: 'images/a.png', width: 64, height: 48, boxes: [{ classId: 2, x: 0, y: 0, w: 64, h: 48 }, { classId: 1, x: 10.125, y: 3.5, w: 7.25, h: 20.375 }] },
        { ref: 'images/c.png', width: 40, height: 30, boxes: null },
        { ref: 'images/sub/b.png', width: 40, height: 30, boxes: [] },
      ],
    };
    const files: Record<string, string | Buffer> = {};
    for (const im of set.images) files[im.ref] = await pngBytes(im.width, im.height);
    for (const [name, body] of writeDetectionSet(set, format)) files[name] = body;
    const back = await readDetectionFolder(tempFolder(files));
    expect(back.classes).toEqual(set.classes);
    expect(back.images.map(({ ref, width, height, boxes }) => ({ ref, width, height, boxes }))).toEqual(set.images);
    if (format === 'groundtruth') expect(String(files['output.manifest'])).toContain('"class-map":{"0":"scratch","1":"dent","2":"stain"}');
  });
});
