/**
 * `sagebrush detection train|predict` as a user runs it: a real process on a temp embedded store. The contract keys
 * of `train FOLDER --json` are checked on a 14-image subset with 2 epochs (the full metal-tags run with the default
 * epochs is bench/detection.bench.ts, whose figures go to docs/benchmarks.md).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { HAS_METAL_TAGS, HAS_TORCH, metalTagsSubset } from '../domains/detection/testing.ts';
import { createCliSandbox } from './testing.ts';

const { dir, json, refused, cleanup } = createCliSandbox('detection');
afterAll(cleanup);

describe.skipIf(!HAS_TORCH || !HAS_METAL_TAGS)('sagebrush detection', () => {
  it('train FOLDER --json prints exactly {model, train_seconds, map50, map50_95, n_train, n_test}; predict prints boxes and draws them', async () => {
    const folder = metalTagsSubset(14);
    const r = await json(['detection', 'train', folder, '--name', 'tags', '--epochs', '2', '--seed', '3']);
    expect(Object.keys(r).sort()).toEqual(['map50', 'map50_95', 'model', 'n_test', 'n_train', 'train_seconds']);
    expect(r).toMatchObject({ model: 'tags:1', n_train: 11, n_test: 3 });
    for (const k of ['train_seconds', 'map50', 'map50_95']) expect(r[k]).toBeGreaterThanOrEqual(0);

    const image = join(folder, 'images/bad/image-2020-04-22-11-07-29-26-cropped-left-top.jpg');
    const out = join(dir, 'drawn.jpg');
    const p = await json(['detection', 'predict', 'tags:1', image, '--min-score', '0', '--draw', out]);
    expect(p).toMatchObject({ model: 'tags:1', width: 450, height: 300, drawn: out });
    expect(p.detections[0]).toMatchObject({ class: 'scratch' });
    expect(await sharp(out).metadata()).toMatchObject({ format: 'jpeg', width: 450, height: 300 });

    // A second training of the same folder keeps its own dataset and makes version 2.
    expect((await json(['detection', 'train', folder, '--name', 'tags', '--epochs', '1'])).model).toBe('tags:2');
  }, 900_000);

  it('refuses a file that is not an image and an unknown model, each with its documented code', async () => {
    const bogus = join(dir, 'notes.jpg');
    writeFileSync(bogus, 'this is text, not a JPEG');
    expect((await refused(['detection', 'predict', 'tags:1', bogus])).code).toBe('IMAGE_UNREADABLE');
    const image = join(metalTagsSubset(1), 'images/bad/image-2020-04-22-11-07-29-26-cropped-left-top.jpg');
    expect(existsSync(image)).toBe(true);
    expect((await refused(['detection', 'predict', 'no-such-model', image])).code).toBe('DETECTION_MODEL_NOT_FOUND');
    expect((await refused(['detection', 'train', join(dir, 'missing-folder')])).code).toBe('FILE_NOT_FOUND');
  }, 120_000);
});
