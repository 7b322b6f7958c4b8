import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../../ml/__reference__/sharedData.ts';
import {
  augmentedTensors, IMAGENET_MEAN, IMAGENET_STD, imageTensors, INPUT_SIZE, inspectImage, preprocessedRgb, thumbnail, transformSquare,
} from './decode.ts';

const SAMPLE = readFileSync(join(SHARED_DATA, 'ham10000-sample', 'bcc', 'ISIC_0027175.jpg'));
const PLANE = INPUT_SIZE * INPUT_SIZE;

/** Byte equality of typed arrays (vitest's deep equality is slow on 150k-element arrays). */
const same = (a: ArrayBufferView | undefined, b: ArrayBufferView | undefined) =>
  !!a && !!b && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Pixel (x, y) of an HWC RGB image, as [r, g, b]. */
const px = (rgb: Uint8Array, x: number, y: number) => Array.from(rgb.subarray((y * INPUT_SIZE + x) * 3, (y * INPUT_SIZE + x) * 3 + 3));

/** A non-symmetric test picture: red left half, blue right half, a green top-left corner. */
async function asymmetric(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (x < width / 4 && y < height / 4) data[i + 1] = 255;
      else if (x < width / 2) data[i] = 255;
      else data[i + 2] = 255;
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

async function rejectsWith(p: Promise<unknown>, code: string, name: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ code, problems: [expect.objectContaining({ field: name, fix: expect.any(String) })] });
}

describe('image validation', () => {
  it('reads a real HAM10000 JPEG', async () => {
    expect(await inspectImage(SAMPLE, 'bcc/x.jpg')).toEqual({ width: 600, height: 450, format: 'jpeg' });
  });

  it('accepts PNG (16-bit too) and WebP, and rounds the same pixels to the same tensor', async () => {
    const png16 = await sharp(SAMPLE).resize(120, 90).toColourspace('rgb16').png().toBuffer();
    const webp = await sharp(SAMPLE).resize(120, 90).webp({ lossless: true }).toBuffer();
    expect(await inspectImage(png16, 'a.png')).toEqual({ width: 120, height: 90, format: 'png' });
    expect(await inspectImage(webp, 'a.webp')).toEqual({ width: 120, height: 90, format: 'webp' });
    const [a] = await imageTensors(png16, ['center']);
    const [b] = await imageTensors(webp, ['center']);
    let diff = 0;
    for (let i = 0; i < a!.length; i++) diff = Math.max(diff, Math.abs(a![i]! - b![i]!));
    expect(diff).toBeLessThan(0.05); // 16-bit vs 8-bit source rounding only
  });

  it('rejects truncated, tiny, GIF and random-byte images with a named file and a fix', async () => {
    const truncated = SAMPLE.subarray(0, Math.floor(SAMPLE.length / 2));
    const tiny = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#808080' } }).png().toBuffer();
    const gif = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).gif().toBuffer();
    const random = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 2654435761) % 251));
    for (const check of [inspectImage, (b: Buffer, n: string) => imageTensors(b, ['center'], n)]) {
      await rejectsWith(check(truncated, 'a/truncated.jpg'), 'IMAGE_UNREADABLE', 'a/truncated.jpg');
      await rejectsWith(check(tiny, 'a/tiny.png'), 'IMAGE_TOO_SMALL', 'a/tiny.png');
      await rejectsWith(check(gif, 'a/anim.gif'), 'IMAGE_FORMAT_UNSUPPORTED', 'a/anim.gif');
      await rejectsWith(check(random, 'a/noise.jpg'), 'IMAGE_UNREADABLE', 'a/noise.jpg');
      await rejectsWith(check(Buffer.alloc(0), 'a/empty.png'), 'IMAGE_UNREADABLE', 'a/empty.png');
    }
    await expect(inspectImage(gif, 'a/anim.gif')).rejects.toThrow(/GIF/);
  });
});

describe('preprocessing', () => {
  it('resizes the shorter side to 224 and centre-crops, in ImageNet normalisation', async () => {
    const rgb = await preprocessedRgb(SAMPLE);
    expect(rgb.length).toBe(PLANE * 3);
    // Independent reference: sharp resize 'cover' straight from the file gives the same pixels.
    const ref = await sharp(SAMPLE).resize(INPUT_SIZE, INPUT_SIZE, { fit: 'cover' }).removeAlpha().raw().toBuffer();
    let diff = 0;
    for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(ref[i]! - rgb[i]!));
    expect(diff).toBeLessThanOrEqual(2);
    const [t] = await imageTensors(SAMPLE, ['center']);
    for (const i of [0, 1234, PLANE - 1]) {
      for (let c = 0; c < 3; c++) expect(t![c * PLANE + i]).toBeCloseTo((rgb[i * 3 + c]! / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!, 5);
    }
  });

  it('applies EXIF orientation and flattens alpha onto white', async () => {
    const upright = await asymmetric(96, 64);
    // Stored rotated 90° anticlockwise with orientation 6 ("rotate 90° clockwise to display"): displays upright.
    const stored = await sharp(upright).rotate(-90).withMetadata({ orientation: 6 }).png().toBuffer();
    expect(await inspectImage(stored, 'o.png')).toMatchObject({ width: 96, height: 64 });
    expect(same(await preprocessedRgb(stored), await preprocessedRgb(upright))).toBe(true);

    const transparent = await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    expect((await preprocessedRgb(transparent)).every((v) => v === 255)).toBe(true);
    const grey = await sharp({ create: { width: 40, height: 50, channels: 3, background: '#404040' } }).greyscale().png().toBuffer();
    expect(px(await preprocessedRgb(grey), 5, 5)).toEqual([64, 64, 64]);
  });

  it('derives exact flips and rotations from the centre view, and corner crops', async () => {
    const img = await asymmetric(300, 200);
    const center = await preprocessedRgb(img);
    const last = INPUT_SIZE - 1;
    expect(px(center, 0, 0)).toEqual([0, 255, 0]); // green corner top-left
    const views = await imageTensors(img, ['center', 'hflip', 'vflip', 'rot90', 'rot180', 'rot270', 'crop-tl', 'crop-br']);
    expect(views).toHaveLength(8);
    for (const v of views) expect(v.length).toBe(3 * PLANE);
    const g = (t: Float32Array, x: number, y: number) => t[PLANE + y * INPUT_SIZE + x]!; // green channel
    const green = g(views[0]!, 0, 0);
    expect(g(views[1]!, last, 0)).toBe(green); // hflip: top-right
    expect(g(views[2]!, 0, last)).toBe(green); // vflip: bottom-left
    expect(g(views[3]!, last, 0)).toBe(green); // 90° clockwise: top-left → top-right
    expect(g(views[4]!, last, last)).toBe(green);
    expect(g(views[5]!, 0, last)).toBe(green); // 270° clockwise: top-left → bottom-left
    expect(g(views[6]!, 0, 0)).toBe(green); // crop-tl keeps the top-left corner
    expect(g(views[7]!, 0, 0)).not.toBe(green);
    // rot90 then rot270 is the identity; hflip twice too.
    expect(same(transformSquare(transformSquare(center, INPUT_SIZE, { quarterTurns: 1 }), INPUT_SIZE, { quarterTurns: 3 }), center)).toBe(true);
    expect(same(transformSquare(transformSquare(center, INPUT_SIZE, { hflip: true }), INPUT_SIZE, { hflip: true }), center)).toBe(true);
  });

  it('augments deterministically per seed', async () => {
    const a = await augmentedTensors(SAMPLE, 3, 7);
    const b = await augmentedTensors(SAMPLE, 3, 7);
    const c = await augmentedTensors(SAMPLE, 1, 8);
    expect(a).toHaveLength(3);
    expect(a.every((t, i) => same(t, b[i]))).toBe(true);
    expect(same(a[0], a[1])).toBe(false);
    expect(same(c[0], a[0])).toBe(false);
    const [center] = await imageTensors(SAMPLE, ['center']);
    expect(same(a[0], center)).toBe(false);
  });

  it('makes WebP thumbnails with the longest side = size', async () => {
    const thumb = await thumbnail(SAMPLE);
    const meta = await sharp(thumb).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 128, height: 96 });
    expect(await sharp(await thumbnail(SAMPLE, 64)).metadata()).toMatchObject({ width: 64, height: 48 });
  });
});
