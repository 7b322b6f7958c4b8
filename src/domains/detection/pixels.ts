/**
 * Image bytes → RGB pixels at the image's own (EXIF-oriented) size, the detector ONNX file's input. No resizing
 * here: the graph resizes, so the trainer, the server and the edge agent all feed it the same pixels. Anything
 * sharp cannot decode (not an image, truncated) is IMAGE_UNREADABLE naming the file.
 */
import type { SharpConstructor } from 'sharp';
import { AppError } from '../../core/errors.ts';

/** Refuse decompression bombs: 50 megapixels is far above any inspection camera frame. */
const MAX_PIXELS = 50_000_000;

export interface RgbImage { data: Uint8Array; width: number; height: number }

let sharpLib: Promise<SharpConstructor> | undefined;
/** sharp (libvips), imported on first use. */
export function loadSharp(): Promise<SharpConstructor> {
  sharpLib ??= import('sharp').then((m) => m.default as SharpConstructor);
  return sharpLib;
}

export async function decodeRgb(bytes: Buffer, name = 'image'): Promise<RgbImage> {
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_PIXELS })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`${info.channels} channels after conversion`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new AppError('IMAGE_UNREADABLE', `${name} is not a readable image (${msg}).`, {
      problems: [{ field: name, problem: 'not a JPEG, PNG or WebP image, or truncated', fix: 'Send a JPEG, PNG or WebP file (open it in an image viewer to check it is whole).' }],
      cause: err,
    });
  }
}
